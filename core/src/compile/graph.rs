//! The dependency graph of a ruleset: what each named condition, table, requirement and
//! question gate reads; a topological order of named conditions and tables (cycles reported
//! with their path); and each checklist's plan, the items it evaluates in that order and the
//! facts relevant to it.

use super::{Compiler, Site};
use crate::bits::BitSet;
use crate::decode::key_path;
use crate::diagnostic::Code;
use crate::index::IdIndex;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A named condition or a table: the things conditions can reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Item {
    Derived(usize),
    Table(usize),
}

/// The facts and items one compiled condition (or group of them) reads directly.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    /// Fact indices, each once, in first-read order (a list, not a bit set: a condition
    /// reads a few facts, and a bit set as wide as the largest index read would make a chain
    /// of gates quadratic in memory).
    pub facts: Vec<usize>,
    /// Named conditions and tables, in first-read order, without repeats.
    pub items: Vec<Item>,
}

impl Reads {
    /// Adds `it` unless it is already read. A linear search: a condition names a few items
    /// directly (the chains of review finding L7 name one each), and no map here keeps a
    /// B-tree instantiation out of the `.wasm`.
    pub(crate) fn add_item(&mut self, it: Item) {
        if !self.items.contains(&it) {
            self.items.push(it);
        }
    }

    /// Whether `it` is read.
    #[cfg(feature = "lint")]
    pub(crate) fn has_item(&self, it: Item) -> bool {
        self.items.contains(&it)
    }
}

/// A set of items, as bits: named condition `i` is bit `i`, table `t` is bit `derived + t`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemSet {
    derived: usize,
    bits: BitSet,
}

impl ItemSet {
    pub(crate) fn new(derived: usize) -> Self {
        ItemSet {
            derived,
            bits: BitSet::default(),
        }
    }

    fn index(&self, it: Item) -> usize {
        match it {
            Item::Derived(i) => i,
            Item::Table(t) => self.derived + t,
        }
    }

    /// Adds an item; returns whether it was new.
    pub(crate) fn insert(&mut self, it: Item) -> bool {
        let i = self.index(it);
        self.bits.insert(i)
    }

    /// Whether the item is in the set.
    pub(crate) fn contains(&self, it: Item) -> bool {
        self.bits.contains(self.index(it))
    }
}

/// A checklist compiled into its evaluation plan.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub id: String,
    /// Its requirements, in checklist order.
    pub reqs: Vec<usize>,
    /// Its tables, in checklist order.
    pub tables: Vec<usize>,
    /// Named conditions and tables to evaluate, in dependency order.
    pub items: Vec<Item>,
    /// Facts relevant to this checklist (read by it, or gating a question it asks), schema order.
    pub facts: Vec<usize>,
}

/// What everything reads, and the dependency order of named conditions and tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    pub derived: Vec<Reads>,
    pub tables: Vec<Reads>,
    pub reqs: Vec<Reads>,
    /// What each fact's `asked_when` reads.
    pub asked: Vec<Reads>,
    pub order: Vec<Item>,
}

impl Graph {
    pub(crate) fn reads(&self, it: Item) -> Option<&Reads> {
        match it {
            Item::Derived(i) => self.derived.get(i),
            Item::Table(i) => self.tables.get(i),
        }
    }

    /// Adds everything `start` reads, transitively through items, to `facts` and `items`.
    pub(crate) fn close(&self, start: &Reads, facts: &mut BitSet, items: &mut ItemSet) {
        facts.insert_all(&start.facts);
        let mut todo: Vec<Item> = start.items.clone();
        while let Some(it) = todo.pop() {
            if items.insert(it) {
                if let Some(r) = self.reads(it) {
                    facts.insert_all(&r.facts);
                    todo.extend(r.items.iter().copied());
                }
            }
        }
    }

    /// The plan of a checklist of requirements `reqs` and tables `tables`.
    pub(crate) fn plan(&self, id: String, reqs: Vec<usize>, tables: Vec<usize>) -> Plan {
        let mut facts = BitSet::default();
        let mut items = ItemSet::new(self.derived.len());
        for r in &reqs {
            if let Some(reads) = self.reqs.get(*r) {
                self.close(reads, &mut facts, &mut items);
            }
        }
        for &t in &tables {
            let mut start = Reads::default();
            start.add_item(Item::Table(t));
            self.close(&start, &mut facts, &mut items);
        }
        // Gates of relevant questions are relevant too, transitively (a work list: each
        // fact's gate is closed once).
        let mut seen = BitSet::default();
        let mut todo: Vec<usize> = facts.iter().collect();
        let mut grown = BitSet::default();
        while let Some(f) = todo.pop() {
            if !seen.insert(f) {
                continue;
            }
            if let Some(r) = self.asked.get(f) {
                grown.reset(0);
                self.close(r, &mut grown, &mut items);
                for g in grown.iter() {
                    if facts.insert(g) {
                        todo.push(g);
                    }
                }
            }
        }
        Plan {
            id,
            reqs,
            tables,
            items: self
                .order
                .iter()
                .copied()
                .filter(|i| items.contains(*i))
                .collect(),
            facts: facts.iter().collect(),
        }
    }
}

impl Compiler<'_> {
    /// The name of an item, for cycle messages.
    fn item_name(&self, item: Item) -> String {
        match item {
            Item::Derived(i) => self
                .doc
                .conditions
                .keys()
                .nth(i)
                .cloned()
                .unwrap_or_default(),
            Item::Table(i) => self
                .doc
                .tables
                .get(i)
                .map(|t| format!("table {}", t.id))
                .unwrap_or_default(),
        }
    }

    /// Orders named conditions and tables so every item comes after what it reads, reporting
    /// each cycle once.
    pub(super) fn topo_order(&mut self, g: &Graph) -> Vec<Item> {
        let nd = g.derived.len();
        let slot = |it: Item| match it {
            Item::Derived(i) => i,
            Item::Table(t) => nd + t,
        };
        let mut state: Vec<u8> = alloc::vec![0; nd + g.tables.len()];
        let mut order = Vec::with_capacity(state.len());
        let mut reported: Vec<BitSet> = Vec::new();
        let starts = (0..nd)
            .map(Item::Derived)
            .chain((0..g.tables.len()).map(Item::Table));
        for start in starts {
            if state.get(slot(start)).copied().unwrap_or(0) != 0 {
                continue;
            }
            // Iterative depth-first search: (item, next child index).
            let mut stack: Vec<(Item, usize)> = Vec::new();
            if let Some(s) = state.get_mut(slot(start)) {
                *s = 1;
            }
            stack.push((start, 0));
            while let Some((it, next)) = stack.last_mut() {
                let kids = g.reads(*it).map_or(&[][..], |r| &r.items[..]);
                let Some(&k) = kids.get(*next) else {
                    let done = *it;
                    if let Some(s) = state.get_mut(slot(done)) {
                        *s = 2;
                    }
                    order.push(done);
                    stack.pop();
                    continue;
                };
                *next += 1;
                match state.get(slot(k)).copied().unwrap_or(2) {
                    0 => {
                        if let Some(s) = state.get_mut(slot(k)) {
                            *s = 1;
                        }
                        stack.push((k, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(x, _)| *x == k).unwrap_or(0);
                        let mut cycle: Vec<Item> =
                            stack.iter().skip(pos).map(|(x, _)| *x).collect();
                        cycle.push(k);
                        self.report_cycle(&cycle, k, &mut reported);
                    }
                    _ => {}
                }
            }
        }
        order
    }

    fn report_cycle(&mut self, cycle: &[Item], k: Item, reported: &mut Vec<BitSet>) {
        // A cycle is reported once, whichever item the search entered it by.
        let nd = self.doc.conditions.len();
        let mut key = BitSet::default();
        key.reset(nd + self.doc.tables.len());
        for it in cycle {
            key.insert(match *it {
                Item::Derived(i) => i,
                Item::Table(t) => nd + t,
            });
        }
        if reported.contains(&key) {
            return;
        }
        reported.push(key);
        let text: Vec<String> = cycle.iter().map(|x| self.item_name(*x)).collect();
        let doc = self.doc;
        let (origin, rule) = match k {
            Item::Derived(i) => match doc.conditions.iter().nth(i) {
                Some((name, nc)) => (nc.origin.clone(), name.clone()),
                None => return,
            },
            Item::Table(i) => match doc.tables.get(i) {
                Some(t) => (t.origin.clone(), t.id.clone()),
                None => return,
            },
        };
        let path = if origin.path.is_empty() {
            match k {
                Item::Derived(_) => key_path("$.conditions", &rule),
                Item::Table(i) => format!("$.tables[{i}]"),
            }
        } else {
            origin.path.clone()
        };
        let site = Site {
            origin: &origin,
            rule: &rule,
        };
        self.error(
            site,
            Code::Cycle,
            path,
            format!("cycle: {}", crate::words::join(&text, " → ")),
        );
    }

    /// Each checklist's requirements and tables, resolved; unknown and repeated ids reported.
    pub(super) fn checklists(
        &mut self,
        req_index: &IdIndex,
    ) -> Vec<(String, Vec<usize>, Vec<usize>)> {
        let doc = self.doc;
        let table_index = core::mem::take(&mut self.table_index);
        let mut out = Vec::with_capacity(doc.checklists.len());
        for l in &doc.checklists {
            let site = Site {
                origin: &l.origin,
                rule: &l.id,
            };
            let path = &l.origin.path;
            let reqs = self.pick(
                &l.requirements,
                req_index,
                site,
                &format!("{path}.requirements"),
                ("requirement", Code::UnknownRequirement),
            );
            let tables = self.pick(
                &l.tables,
                &table_index,
                site,
                &format!("{path}.tables"),
                ("table", Code::UnknownTable),
            );
            out.push((l.id.clone(), reqs, tables));
        }
        self.table_index = table_index;
        out
    }

    /// The indices of `ids` in `index`, each once; unknown or repeated ids reported at `path[i]`.
    fn pick(
        &mut self,
        ids: &[String],
        index: &IdIndex,
        site: Site<'_>,
        path: &str,
        (what, unknown): (&str, Code),
    ) -> Vec<usize> {
        let mut out = Vec::with_capacity(ids.len());
        let mut listed = BitSet::default();
        for (i, id) in ids.iter().enumerate() {
            match index.get(id) {
                Some(x) if listed.insert(x) => out.push(x),
                Some(_) => self.error(
                    site,
                    Code::DuplicateId,
                    format!("{path}[{i}]"),
                    format!("{what} `{id}` is listed twice"),
                ),
                None => self.error(
                    site,
                    unknown,
                    format!("{path}[{i}]"),
                    format!("unknown {what} `{id}`"),
                ),
            }
        }
        out
    }
}

/// A node of the gate graph: a fact (its `asked_when` reads), or a named condition or table
/// (what it reads).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Fact(usize),
    It(Item),
}

impl Graph {
    fn node_index(&self, n: Node) -> usize {
        let (nf, nd) = (self.asked.len(), self.derived.len());
        match n {
            Node::Fact(f) => f,
            Node::It(Item::Derived(i)) => nf + i,
            Node::It(Item::Table(t)) => nf + nd + t,
        }
    }

    fn node_at(&self, i: usize) -> Node {
        let (nf, nd) = (self.asked.len(), self.derived.len());
        if i < nf {
            Node::Fact(i)
        } else if i < nf + nd {
            Node::It(Item::Derived(i - nf))
        } else {
            Node::It(Item::Table(i - nf - nd))
        }
    }

    /// What a node reads: a fact's gate, or an item's condition.
    fn node_reads(&self, n: Node) -> Option<&Reads> {
        match n {
            Node::Fact(f) => self.asked.get(f),
            Node::It(it) => self.reads(it),
        }
    }

    /// The `k`-th successor of node `i`: facts first, then items.
    fn successor(&self, i: usize, k: usize) -> Option<usize> {
        let r = self.node_reads(self.node_at(i))?;
        let nf = r.facts.len();
        if k < nf {
            r.facts.get(k).copied()
        } else {
            let it = *r.items.get(k - nf)?;
            Some(self.node_index(Node::It(it)))
        }
    }

    /// The strongly connected components of the gate graph that contain a fact whose
    /// question depends, through gates, on its own answer: each as its node indices.
    /// Tarjan's algorithm, iterative, linear in the graph.
    fn gate_components(&self) -> Vec<Vec<usize>> {
        let n = self.asked.len() + self.derived.len() + self.tables.len();
        let mut index = alloc::vec![usize::MAX; n];
        let mut low = alloc::vec![0usize; n];
        let mut on_stack = BitSet::default();
        let mut stack: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        let mut next = 0usize;
        for root in 0..self.asked.len() {
            if index.get(root).copied() != Some(usize::MAX) {
                continue;
            }
            let mut calls: Vec<(usize, usize)> = alloc::vec![(root, 0)];
            while let Some(&mut (v, ref mut k)) = calls.last_mut() {
                if *k == 0 && index.get(v).copied() == Some(usize::MAX) {
                    set(&mut index, v, next);
                    set(&mut low, v, next);
                    next += 1;
                    stack.push(v);
                    on_stack.insert(v);
                }
                let child = self.successor(v, *k);
                *k += 1;
                match child {
                    Some(w) if index.get(w).copied() == Some(usize::MAX) => calls.push((w, 0)),
                    Some(w) => {
                        if on_stack.contains(w) {
                            let m = get(&low, v).min(get(&index, w));
                            set(&mut low, v, m);
                        }
                    }
                    None => {
                        calls.pop();
                        if let Some(&(parent, _)) = calls.last() {
                            let m = get(&low, parent).min(get(&low, v));
                            set(&mut low, parent, m);
                        }
                        if get(&low, v) == get(&index, v) {
                            let mut comp = Vec::new();
                            while let Some(w) = stack.pop() {
                                on_stack.remove(w);
                                comp.push(w);
                                if w == v {
                                    break;
                                }
                            }
                            let facts = comp.iter().filter(|&&w| w < self.asked.len()).count();
                            let looped = comp.len() > 1 || self.reads_itself(v);
                            if facts > 0 && looped {
                                out.push(comp);
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn reads_itself(&self, i: usize) -> bool {
        (0..).map_while(|k| self.successor(i, k)).any(|w| w == i)
    }

    /// A cycle through node `from` within `comp`, as node indices from `from` back to it
    /// (breadth first, so the shortest).
    fn cycle_through(&self, from: usize, comp: &BitSet) -> Vec<usize> {
        let n = self.asked.len() + self.derived.len() + self.tables.len();
        // parent[w]: the node the search reached `w` from (usize::MAX: not reached).
        let mut parent = alloc::vec![usize::MAX; n];
        // Breadth first through a list read from the front (no VecDeque code: WASM size).
        let mut queue = alloc::vec![from];
        let mut head = 0;
        while let Some(&v) = queue.get(head) {
            head += 1;
            for w in (0..).map_while(|k| self.successor(v, k)) {
                if w == from {
                    let mut path = alloc::vec![from];
                    let mut at = v;
                    while at != from {
                        path.push(at);
                        at = match get(&parent, at) {
                            usize::MAX => from,
                            p => p,
                        };
                    }
                    path.push(from);
                    path.reverse();
                    return path;
                }
                if comp.contains(w) && get(&parent, w) == usize::MAX {
                    set(&mut parent, w, v);
                    queue.push(w);
                }
            }
        }
        alloc::vec![from, from]
    }
}

fn get(v: &[usize], i: usize) -> usize {
    v.get(i).copied().unwrap_or(usize::MAX)
}

fn set(v: &mut [usize], i: usize, x: usize) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

impl Compiler<'_> {
    /// Questions whose gates depend on their own answers, directly or through other
    /// questions' gates, named conditions and tables: `ASKED_WHEN_SELF` for one question,
    /// `ASKED_WHEN_CYCLE` for several (a verdict could stay undetermined with nothing to
    /// ask: hazard H7), located at the first question's `asked_when`.
    pub(super) fn gate_cycles(&mut self, g: &Graph) {
        for comp in g.gate_components() {
            let mut members = BitSet::default();
            comp.iter().for_each(|&w| {
                members.insert(w);
            });
            let Some(&first) = comp.iter().filter(|&&w| w < g.asked.len()).min() else {
                continue;
            };
            let path = g.cycle_through(first, &members);
            let names: Vec<String> = path
                .iter()
                .map(|&w| match g.node_at(w) {
                    Node::Fact(f) => self
                        .doc
                        .facts
                        .get(f)
                        .map(|d| d.id.clone())
                        .unwrap_or_default(),
                    Node::It(it) => self.item_name(it),
                })
                .collect();
            let facts = comp.iter().filter(|&&w| w < g.asked.len()).count();
            let Some(f) = self.doc.facts.get(first) else {
                continue;
            };
            let site = Site {
                origin: &f.origin,
                rule: &f.id,
            };
            let at = format!("{}.asked_when", f.origin.path);
            let chain = crate::words::join(&names, " → ");
            if facts == 1 {
                let msg = format!(
                    "the question `{}` is only asked depending on its own answer: {chain}",
                    f.id
                );
                self.error(site, Code::AskedWhenSelf, at, msg);
            } else {
                let msg =
                    format!("questions are only asked depending on each other's answers: {chain}");
                self.error(site, Code::AskedWhenCycle, at, msg);
            }
        }
    }
}
