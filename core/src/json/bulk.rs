//! Bulk assessment over compact input (one `i32` per fact, `u32` codes out), one patient at a
//! time or 64 per pass, with resident buffers and the as-of date of the batch.

use super::{answer, as_of, checklist_of, error, one, Answer};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::Diagnostics;
use crate::facts::Facts;
use crate::ruleset::Ruleset;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// Bulk assessment over compact input with resident buffers: no JSON and no allocation per
/// patient once warm.
#[derive(Debug, Clone)]
pub struct JsonBulk {
    engine: Result<Rc<Ruleset>, Vec<Diagnostic>>,
    checklist: String,
    /// The one-patient buffer, which also holds the as-of date of every patient.
    facts: Facts,
    evaluator: crate::Evaluator,
    error: String,
    output_len: usize,
    block: crate::batch::Block,
    /// Resident input and output buffers ([`JsonBulk::reserve`]): a caller across a boundary
    /// (WASM) writes patients and reads codes in place, with no copy and no allocation per call.
    input: Vec<i32>,
    output: Vec<u32>,
    /// The resident report codes of [`JsonBulk::report_resident`].
    report: Vec<u32>,
}

impl JsonBulk {
    /// A bulk assessor over `engine` for `checklist`.
    pub(super) fn new(engine: Result<Rc<Ruleset>, Vec<Diagnostic>>, checklist: &str) -> JsonBulk {
        let facts = engine.as_deref().map(Facts::unknown).unwrap_or_default();
        let usable = engine
            .as_deref()
            .map_err(Clone::clone)
            .and_then(|rs| Ok(crate::compact::codes_len(checklist_of(rs, checklist)?.plan)));
        JsonBulk {
            engine,
            checklist: String::from(checklist),
            facts,
            evaluator: crate::Evaluator::new(),
            error: usable.as_ref().err().map(|d| error(d)).unwrap_or_default(),
            output_len: usable.unwrap_or(0),
            block: crate::batch::Block::default(),
            input: Vec::new(),
            output: Vec::new(),
            report: Vec::new(),
        }
    }

    /// Sizes the resident buffers for `patients` patients ([`JsonBulk::input_len`] values
    /// and [`JsonBulk::output_len`] codes each) and returns the number of input values. The
    /// buffers may move: read [`JsonBulk::input`] and [`JsonBulk::output`] after each call.
    /// Buffers of more than [`JsonBulk::MAX_RESIDENT_BYTES`] are refused, never a trap: the
    /// buffers keep their size, the call returns `0` and [`JsonBulk::error`] says why.
    pub fn reserve(&mut self, patients: usize) -> usize {
        let (ni, no) = (self.input_len(), self.output_len);
        if patients > Self::MAX_RESIDENT_BYTES / 4 / (ni + no).max(1) {
            let msg = String::from("too many patients at once");
            return self.settle(Err(one(Code::WrongType, "$", msg)), 0);
        }
        self.error.clear();
        let values = patients * ni;
        self.input.resize(values, crate::compact::UNKNOWN);
        self.output.resize(patients * no, 0);
        values
    }

    /// The most bytes [`JsonBulk::reserve`] gives the resident buffers (256 MiB: a
    /// wasm32 memory holds at most 4 GiB, and a tablet's browser may grant far less). The
    /// public wrapper passes patients through them 256 at a time.
    pub const MAX_RESIDENT_BYTES: usize = 1 << 28;

    /// The resident input buffer (see [`JsonBulk::reserve`]).
    #[must_use]
    pub fn input(&self) -> &[i32] {
        &self.input
    }

    /// The resident input buffer, to write patients into.
    pub fn input_mut(&mut self) -> &mut [i32] {
        &mut self.input
    }

    /// The resident output buffer (see [`JsonBulk::reserve`]).
    #[must_use]
    pub fn output(&self) -> &[u32] {
        &self.output
    }

    /// Assesses the first `patients` patients of the resident input buffer into the resident
    /// output buffer: one patient through the one-patient path, more 64 per pass. Returns the
    /// number assessed, as [`JsonBulk::assess_many`] (fewer: [`JsonBulk::error`] says why).
    pub fn assess_resident(&mut self, patients: usize) -> usize {
        let input = core::mem::take(&mut self.input);
        let mut output = core::mem::take(&mut self.output);
        let values = input
            .get(..patients.saturating_mul(self.input_len()))
            .unwrap_or(&[]);
        let done = if patients > input.len() / self.input_len().max(1) {
            let msg =
                format!("{patients} patients asked for; the buffers hold fewer: reserve first");
            let result = Err(one(Code::WrongType, "$", msg));
            self.settle(result, 0)
        } else if patients == 1 {
            usize::from(self.assess(values, &mut output) > 0)
        } else {
            self.assess_many(values, &mut output)
        };
        self.input = input;
        self.output = output;
        done
    }

    /// Records the outcome of a call: its error as `{"error": …}`, or nothing.
    fn settle<T>(&mut self, result: Answer<T>, failed: T) -> T {
        match result {
            Ok(v) => {
                self.error.clear();
                v
            }
            Err(d) => {
                self.error = error(&d);
                failed
            }
        }
    }

    /// Sets the as-of date (`YYYY-MM-DD`; `None` to forget it) for every patient assessed
    /// next. Returns `{"ok": date | null}` or a located error (`$.as_of`), the date unchanged.
    pub fn set_as_of(&mut self, date: Option<&str>) -> String {
        let parsed = as_of(date);
        if let Ok(d) = &parsed {
            self.facts.set_as_of(*d);
        }
        answer(parsed)
    }

    fn assess_one(&mut self, values: &[i32], out: &mut [u32]) -> Answer<usize> {
        let rs = self.engine.as_deref().map_err(Clone::clone)?;
        let cl = checklist_of(rs, &self.checklist)?;
        self.facts
            .set_compact(rs, values)
            .map_err(|e| e.diagnostics())?;
        let a = self.evaluator.assess(rs, cl, &self.facts, false);
        let need = a.codes_len();
        if out.len() < need {
            let msg = format!(
                "the output buffer holds {} codes; {need} are needed",
                out.len()
            );
            return Err(one(Code::WrongType, "$", msg));
        }
        Ok(a.write_codes(out))
    }

    /// Assesses one patient given as compact values, writing the compact output codes into
    /// `out`. Returns the number of codes written, or `0` on error, when [`JsonBulk::error`]
    /// holds the located error and `out` is untouched.
    pub fn assess(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        let result = self.assess_one(values, out);
        self.settle(result, 0)
    }

    /// The full report of the first patient of the resident input buffer, as codes (see
    /// `Ruleset::report_codes_with`; [`JsonEngine::report_template`](super::JsonEngine::report_template)
    /// names them). Returns the number of codes in [`JsonBulk::report`], or `0` on error
    /// ([`JsonBulk::error`] holds it).
    pub fn report_resident(&mut self) -> usize {
        let result = (|| -> Answer<usize> {
            let rs = self.engine.as_deref().map_err(Clone::clone)?;
            let cl = checklist_of(rs, &self.checklist)?;
            let values = self.input.get(..self.input_len()).unwrap_or(&[]);
            self.facts
                .set_compact(rs, values)
                .map_err(|e| e.diagnostics())?;
            self.evaluator
                .report_codes(rs, cl, &self.facts, &mut self.report);
            Ok(self.report.len())
        })();
        self.settle(result, 0)
    }

    /// The codes of the last [`JsonBulk::report_resident`].
    #[must_use]
    pub fn report(&self) -> &[u32] {
        &self.report
    }

    /// The number of output codes per patient (verdict, tables, requirements); `0` when the
    /// ruleset or checklist is not usable.
    #[must_use]
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// The number of input values per patient (one per fact).
    #[must_use]
    pub fn input_len(&self) -> usize {
        self.engine.as_ref().map_or(0, |rs| rs.facts.len())
    }

    /// Assesses many patients in one call: `values` holds [`JsonBulk::input_len`] values per
    /// patient back to back, `out` receives [`JsonBulk::output_len`] codes per patient. Returns
    /// the number of patients assessed; when it is fewer than given, [`JsonBulk::error`] locates
    /// the first bad patient (`$[patient][fact]`) and the codes of the patients before it stand.
    pub fn assess_many(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        let (done, result) = self.assess_block(values, out);
        self.settle(result, ());
        done
    }

    /// Checks the shape of a batch: the number of patients.
    fn batch_size(&self, values: &[i32], out: &[u32]) -> Answer<usize> {
        let rs = self.engine.as_deref().map_err(Clone::clone)?;
        checklist_of(rs, &self.checklist)?;
        let (ni, no) = (self.input_len(), self.output_len);
        if ni == 0 || no == 0 {
            return Err(one(
                Code::WrongType,
                "$",
                String::from("no facts to assess"),
            ));
        }
        if values.len() % ni != 0 {
            let msg = format!(
                "{} values is not a whole number of patients of {ni} values each",
                values.len()
            );
            return Err(one(Code::WrongType, "$", msg));
        }
        let n = values.len() / ni;
        if out.len() < n.saturating_mul(no) {
            let msg = format!(
                "the output buffer holds {} codes; {n} patients need {}",
                out.len(),
                n.saturating_mul(no)
            );
            return Err(one(Code::WrongType, "$", msg));
        }
        Ok(n)
    }

    /// The patients assessed, and the error that stopped the batch, if any.
    fn assess_block(&mut self, values: &[i32], out: &mut [u32]) -> (usize, Answer<()>) {
        let n = match self.batch_size(values, out) {
            Ok(n) => n,
            Err(d) => return (0, Err(d)),
        };
        let (Ok(rs), ni, no) = (self.engine.clone(), self.input_len(), self.output_len) else {
            return (0, Ok(()));
        };
        let Ok(cl) = checklist_of(&rs, &self.checklist) else {
            return (0, Ok(()));
        };
        let as_of = self.facts.as_of().map(|d| i64::from(d.days()));
        let lanes = crate::lanes::LANES;
        for (b, (chunk, codes)) in values
            .chunks(ni * lanes)
            .zip(out.chunks_mut(no * lanes))
            .enumerate()
        {
            let count = chunk.len() / ni;
            self.block.prepare(&rs, as_of);
            let bad = self.block.load(chunk, ni);
            // The first bad patient stops the batch: the patients before it are assessed
            // (lanes are independent, so the loaded block serves them).
            let valid = if bad == 0 {
                count
            } else {
                bad.trailing_zeros() as usize
            };
            self.block.assess(&rs, cl.plan, valid, codes, no);
            if valid < count {
                let row = chunk.get(valid * ni..(valid + 1) * ni).unwrap_or(&[]);
                let at = format!("$[{}]", b * lanes + valid);
                let d = rs.check_compact(row).err().unwrap_or_default();
                return (
                    b * lanes + valid,
                    Err(d.into_iter().map(|x| x.within(&at)).collect()),
                );
            }
        }
        (n, Ok(()))
    }

    /// The error of the last call as `{"error": …}`, or an empty string after a success.
    #[must_use]
    pub fn error(&self) -> &str {
        &self.error
    }
}
