//! Located, coded diagnostics shared by every stage: ruleset loading, fact validation and the
//! JSON entry points. The UI and the CLI print the same thing.

use crate::words::words;
use crate::write::json_struct;
use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Serialize};

words! {
    /// How serious a diagnostic is.
    #[non_exhaustive]
    pub enum Severity {
        /// The input cannot be used.
        Error = "error",
        /// The input works but is probably not what the author meant.
        Warning = "warning",
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident => $text:literal ),+ $(,)?) => {
        /// A stable, machine-readable diagnostic code (`SCREAMING_SNAKE` on the wire).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum Code { $( $(#[$doc])* #[serde(rename = $text)] $name ),+ }

        impl Code {
            /// The code as written on the wire, e.g. `UNKNOWN_FACT`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$name => $text ),+ }
            }

            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[ $( Code::$name ),+ ];
        }

        impl crate::write::WriteJson for Code {
            fn write_json(&self, out: &mut String) {
                out.push('"');
                out.push_str(self.as_str());
                out.push('"');
            }
        }
    };
}

codes! {
    /// The text is not JSON.
    JsonSyntax => "JSON_SYNTAX",
    /// A value has the wrong JSON type.
    WrongType => "WRONG_TYPE",
    /// A required field is absent.
    MissingField => "MISSING_FIELD",
    /// A field the format does not define.
    UnknownField => "UNKNOWN_FIELD",
    /// An id does not match the id pattern.
    InvalidId => "INVALID_ID",
    /// Two items of one kind share an id.
    DuplicateId => "DUPLICATE_ID",
    /// The `format` version is not supported.
    UnsupportedFormat => "UNSUPPORTED_FORMAT",
    /// A value outside its allowed set.
    InvalidValue => "INVALID_VALUE",
    /// A fact names an undeclared section.
    UnknownSection => "UNKNOWN_SECTION",
    /// An `enum` or `set` fact without options.
    EmptyOptions => "EMPTY_OPTIONS",
    /// An `enum` or `set` fact (or a table) with more than 64 options (outputs).
    TooManyOptions => "TOO_MANY_OPTIONS",
    /// An `int` fact without a valid range.
    InvalidRange => "INVALID_RANGE",
    /// A malformed condition.
    BadCondition => "BAD_CONDITION",
    /// A reference to an undeclared fact.
    UnknownFact => "UNKNOWN_FACT",
    /// A reference to an undeclared named condition.
    UnknownCondition => "UNKNOWN_CONDITION",
    /// A reference to an undeclared table.
    UnknownTable => "UNKNOWN_TABLE",
    /// A reference to an undeclared requirement.
    UnknownRequirement => "UNKNOWN_REQUIREMENT",
    /// A reference to an undeclared checklist.
    UnknownChecklist => "UNKNOWN_CHECKLIST",
    /// An operator or operand that does not fit the fact's type.
    TypeMismatch => "TYPE_MISMATCH",
    /// An option id that the fact does not declare.
    UnknownOption => "UNKNOWN_OPTION",
    /// An integer operand outside the fact's range.
    OperandOutOfRange => "OPERAND_OUT_OF_RANGE",
    /// A table output that the table does not declare.
    UnknownOutput => "UNKNOWN_OUTPUT",
    /// `at_least.n` is zero or larger than its parts.
    AtLeastRange => "AT_LEAST_RANGE",
    /// Named conditions or tables depend on themselves.
    Cycle => "CYCLE",
    /// A condition nested too deeply.
    NestingTooDeep => "NESTING_TOO_DEEP",
    /// An overlay extends a different base.
    ExtendsMismatch => "EXTENDS_MISMATCH",
    /// Overlay-only fields in a base ruleset, or an overlay used as a base.
    NotAnOverlay => "NOT_AN_OVERLAY",
    /// No bundled ruleset or overlay has that id.
    UnknownBundled => "UNKNOWN_BUNDLED",
    /// The input is larger than the engine accepts.
    TooLarge => "TOO_LARGE",
    /// A patient's value is outside the fact's range.
    OutOfRange => "OUT_OF_RANGE",
    /// A set value lists an option twice.
    DuplicateOption => "DUPLICATE_OPTION",
    /// A date that is not a day of the calendar, or not written `YYYY-MM-DD`.
    InvalidDate => "INVALID_DATE",
    /// A fact no condition reads.
    UnusedFact => "UNUSED_FACT",
    /// A named condition nobody references.
    UnusedCondition => "UNUSED_CONDITION",
    /// A requirement that can never apply.
    NeverApplies => "NEVER_APPLIES",
    /// A table row that can never be the first hit.
    UnreachableRow => "UNREACHABLE_ROW",
    /// A question whose `asked_when` reads the question's own fact.
    AskedWhenSelf => "ASKED_WHEN_SELF",
    /// A requirement or table that no checklist uses.
    NotInChecklist => "NOT_IN_CHECKLIST",
    /// A JSON object names the same key twice.
    DuplicateKey => "DUPLICATE_KEY",
    /// An interchange resource (a FHIR QuestionnaireResponse or Bundle) that is not valid or
    /// cannot be mapped exactly to facts.
    InvalidResource => "INVALID_RESOURCE",
    /// An overlay weakens a safeguarding hold, a primary requirement or a table that gates
    /// blockers without declaring the change under `safety_changes`.
    UndeclaredSafetyChange => "UNDECLARED_SAFETY_CHANGE",
    /// An overlay declares a safety change it does not make.
    UnusedSafetyChange => "UNUSED_SAFETY_CHANGE",
    /// Questions whose `asked_when` gates depend on each other in a cycle: none can be asked
    /// first, so a verdict could stay undetermined with nothing to ask.
    AskedWhenCycle => "ASKED_WHEN_CYCLE",
    /// More diagnostics than are reported for one document; the rest are counted.
    TooManyDiagnostics => "TOO_MANY_DIAGNOSTICS",
    /// A compiled ruleset's binary form (`Ruleset::from_compiled`) is not this engine
    /// version's, is damaged or cut short, or does not hold a ruleset the engine can evaluate.
    BadCompiled => "BAD_COMPILED",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

json_struct! {
    /// One located problem, with a stable code and a help line.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct Diagnostic {
        /// Error or warning.
        pub severity: Severity,
        /// Stable machine-readable code.
        pub code: Code,
        /// JSON path into the document, e.g. `$.requirements[3].met_when.all[1]`.
        pub path: String,
        /// The overlay document the path points into, when it is not the base ruleset.
        pub document: Option<String> = skip_none,
        /// Id of the rule (requirement, table, fact, condition) concerned, where there is one.
        pub rule: Option<String> = skip_none,
        /// What is wrong, lowercase, user input in backticks.
        pub message: String,
        /// How to fix it.
        pub help: String,
    }
}

impl Diagnostic {
    /// A new error diagnostic.
    #[must_use]
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, path.into(), message.into())
    }

    /// The one constructor: the generic ones convert their arguments and call it (one copy of
    /// the body, not one per argument type: WASM size).
    #[inline(never)]
    fn new(severity: Severity, code: Code, path: String, message: String) -> Self {
        Diagnostic {
            severity,
            code,
            path,
            document: None,
            rule: None,
            message,
            help: String::from(default_help(code)),
        }
    }

    /// A new warning diagnostic.
    #[must_use]
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, path.into(), message.into())
    }

    /// The same diagnostic naming `rule`.
    #[must_use]
    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// The same diagnostic with a specific help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// The same diagnostic with its path moved inside `outer`: `$…` becomes `outer…` (for a
    /// value checked on its own and reported within a larger input, e.g. one patient of a batch).
    #[must_use]
    pub(crate) fn within(mut self, outer: &str) -> Self {
        let inner = self.path.strip_prefix('$').unwrap_or(&self.path);
        self.path = alloc::format!("{outer}{inner}");
        self
    }

    /// Whether this diagnostic is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {}", self.code, self.message)?;
        write!(f, "\n  at {}", self.path)?;
        if let Some(doc) = &self.document {
            write!(f, " in overlay `{doc}`")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, " (rule `{rule}`)")?;
        }
        write!(f, "\n  help: {}", self.help)
    }
}

/// The default help line for a code.
#[must_use]
pub const fn default_help(code: Code) -> &'static str {
    match code {
        Code::JsonSyntax => "check the text is valid JSON (quotes, commas, brackets)",
        Code::WrongType => "use the JSON type the format document gives for this field",
        Code::MissingField => "add the field; see docs/ruleset-format.md",
        Code::UnknownField => {
            "remove the field or correct its spelling; unknown fields are rejected"
        }
        Code::InvalidId => "ids are dotted snake_case, e.g. `home.key_safe_fitted`",
        Code::DuplicateId => "give each item of a kind its own id",
        Code::UnsupportedFormat => "set `format` to 1 or leave it out",
        Code::InvalidValue => "use one of the values listed in the message",
        Code::UnknownSection => "declare the section under `sections` or use a declared one",
        Code::EmptyOptions => "give the fact at least one option",
        Code::TooManyOptions => {
            "split the fact; at most 64 options (or table outputs) are supported"
        }
        Code::InvalidRange => "give `min` and `max` with `min <= max`",
        Code::BadCondition => {
            "write exactly one operator per condition object; see docs/ruleset-format.md"
        }
        Code::UnknownFact => "declare the fact under `facts` or correct the id",
        Code::UnknownCondition => {
            "declare the named condition under `conditions` or correct the name"
        }
        Code::UnknownTable => "declare the table under `tables` or correct the id",
        Code::UnknownRequirement => "declare the requirement or correct the id",
        Code::UnknownChecklist => "use a declared checklist id",
        Code::TypeMismatch => "use an operator and operand that fit the fact's type",
        Code::UnknownOption => "use one of the fact's declared option ids",
        Code::OperandOutOfRange => "use a number within the fact's `min`..`max`",
        Code::UnknownOutput => "use one of the table's declared `outputs`",
        Code::AtLeastRange => "`n` must be between 1 and the number of parts",
        Code::Cycle => "break the cycle: a named condition or table cannot depend on itself",
        Code::NestingTooDeep => "flatten the condition or move parts into named conditions",
        Code::ExtendsMismatch => "set `extends` to the id of the base ruleset",
        Code::NotAnOverlay => {
            "overlay-only fields need `extends`; a base ruleset must not extend another"
        }
        Code::UnknownBundled => "use a bundled id such as `england-national` or `norfolk`",
        Code::TooLarge => "split the input; the engine bounds input size to protect the device",
        Code::OutOfRange => "give a number within the fact's range, or null if not known",
        Code::DuplicateOption => "list each option at most once",
        Code::InvalidDate => {
            "write dates as YYYY-MM-DD, a real day between 1900-01-01 and 2199-12-31"
        }
        Code::UnusedFact => "read the fact in a condition or remove it",
        Code::UnusedCondition => "reference the condition or remove it",
        Code::NeverApplies => "check `applies_when`: no combination of answers makes it true",
        Code::UnreachableRow => "reorder or remove the row: earlier rows always hit first",
        Code::AskedWhenSelf => {
            "a question cannot depend on its own answer; gate it on another fact"
        }
        Code::NotInChecklist => "add it to a checklist or remove it",
        Code::DuplicateKey => {
            "give each key once: with a repeated key one of the values would be silently lost"
        }
        Code::InvalidResource => {
            "send a resource the importer can map exactly; see the FHIR section of docs/cli.md"
        }
        Code::UndeclaredSafetyChange => {
            "undo the change, or declare it under `safety_changes` with the reason it is safe"
        }
        Code::UnusedSafetyChange => {
            "remove the declaration: every report would list a change the overlay does not make"
        }
        Code::AskedWhenCycle => "break the cycle: gate one of these questions on a fact outside it",
        Code::TooManyDiagnostics => "fix the problems reported first, then load again",
        Code::BadCompiled => {
            "compile the ruleset again with this version of the engine (`Ruleset::to_compiled`)"
        }
    }
}

/// The most diagnostics reported for one document; past it, one `TOO_MANY_DIAGNOSTICS` error
/// counts the rest (a million unknown keys must not become a hundred megabytes of messages).
pub const MAX_DIAGNOSTICS: usize = 100;

/// Keeps the first [`MAX_DIAGNOSTICS`] of `diags` and appends one `TOO_MANY_DIAGNOSTICS` error
/// counting the rest, plus `more` not even built.
pub(crate) fn cap(diags: &mut alloc::vec::Vec<Diagnostic>, more: usize) {
    let over = diags.len().saturating_sub(MAX_DIAGNOSTICS) + more;
    if over == 0 {
        return;
    }
    diags.truncate(MAX_DIAGNOSTICS);
    diags.push(Diagnostic::error(
        Code::TooManyDiagnostics,
        "$",
        alloc::format!("{over} more problems are not listed"),
    ));
}

/// Whether any diagnostic in `diags` is an error.
#[must_use]
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// Errors first (in document order), then warnings: a stable partition, which keeps the sort
/// machinery out of the WASM build.
pub(crate) fn sort(diags: &mut alloc::vec::Vec<Diagnostic>) {
    let (errors, warnings): (alloc::vec::Vec<Diagnostic>, alloc::vec::Vec<Diagnostic>) =
        diags.drain(..).partition(Diagnostic::is_error);
    diags.extend(errors);
    diags.extend(warnings);
}
