//! WebAssembly bindings: a thin wasm-bindgen layer over `homeward::json`. No rules logic here.
//! Every method returns a tagged JSON string (`{"ok": …}` or `{"error": …}`); the shipped
//! `homeward.js` wrapper parses it. Nothing throws and nothing traps.
//!
//! On wasm32 the crate is `no_std` (WASM size): the allocator is talc (2 KB gzipped smaller
//! than dlmalloc, the one std uses on wasm32, and as fast or faster here), and a panic (the
//! engine has none: clippy denies them) traps at once, as std's `panic = "abort"` did,
//! without std's panic hook and message formatting.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
#[cfg(any(feature = "bundled", not(feature = "runtime")))]
use alloc::vec::Vec;
use homeward::json::{JsonBulk, JsonEngine, JsonSession};
use wasm_bindgen::prelude::wasm_bindgen;

/// A resident, compiled ruleset (or the reason it failed to load).
#[wasm_bindgen]
pub struct Engine(JsonEngine);

#[wasm_bindgen]
impl Engine {
    /// The bundled national ruleset with bundled overlays by id (e.g. `["norfolk"]`); only
    /// with the `bundled` feature (the default package loads the JSON files it ships).
    #[cfg(feature = "bundled")]
    #[wasm_bindgen(js_name = national)]
    pub fn national(overlays: Vec<String>) -> Engine {
        Engine(JsonEngine::national(&overlays))
    }

    /// A ruleset and overlays given as JSON text (not in the runtime build).
    #[cfg(not(feature = "runtime"))]
    #[wasm_bindgen(js_name = load)]
    pub fn load(ruleset_json: &str, overlays_json: Vec<String>) -> Engine {
        Engine(JsonEngine::load(ruleset_json, &overlays_json))
    }

    /// A compiled ruleset (`Ruleset::to_compiled`'s bytes, e.g. the package's
    /// `rulesets/england-national.hwrc`); only in the runtime build.
    #[cfg(feature = "runtime")]
    #[wasm_bindgen(js_name = compiled)]
    pub fn compiled(bytes: &[u8]) -> Engine {
        Engine(JsonEngine::compiled(bytes))
    }

    /// Load status: id, version, hash, checklists and warnings, or the load errors.
    #[wasm_bindgen(js_name = status)]
    pub fn status(&self) -> String {
        self.0.status()
    }

    /// The fact schema for rendering the form.
    #[wasm_bindgen(js_name = schema)]
    pub fn schema(&self) -> String {
        self.0.schema()
    }

    /// One-shot evaluation of a facts document on an as-of date (`YYYY-MM-DD`; absent:
    /// comparisons with it are unknown).
    #[wasm_bindgen(js_name = evaluate)]
    pub fn evaluate(&self, facts_json: &str, checklist: &str, as_of: Option<String>) -> String {
        self.0.evaluate(facts_json, checklist, as_of.as_deref())
    }

    /// What each position of the compact input and output means for a checklist.
    #[wasm_bindgen(js_name = layout)]
    pub fn layout(&self, checklist: &str) -> String {
        self.0.layout(checklist)
    }

    /// What a checklist's reports say that does not depend on the patient, to name report codes.
    #[wasm_bindgen(js_name = reportTemplate)]
    pub fn report_template(&self, checklist: &str) -> String {
        self.0.report_template(checklist)
    }

    /// A resident bulk assessor over compact input (`Int32Array`, one value per fact).
    #[wasm_bindgen(js_name = bulk)]
    pub fn bulk(&self, checklist: &str) -> Bulk {
        Bulk(self.0.bulk(checklist))
    }

    /// A session for one patient.
    #[wasm_bindgen(js_name = session)]
    pub fn session(&self, checklist: &str) -> Session {
        Session(self.0.session(checklist))
    }

    /// The bundled overlays.
    #[cfg(feature = "bundled")]
    #[wasm_bindgen(js_name = bundledOverlays)]
    pub fn bundled_overlays() -> String {
        JsonEngine::bundled_overlays()
    }
}

/// Bulk assessment over typed arrays: no JSON and no allocation per patient.
#[wasm_bindgen]
pub struct Bulk(JsonBulk);

#[wasm_bindgen]
impl Bulk {
    /// Assesses one patient (`Int32Array`, one value per fact in schema order) into `out`
    /// (`Uint32Array` of at least `outputLength` codes). Returns the codes written, or 0 on
    /// error (then `error()` is the located error).
    #[wasm_bindgen(js_name = assess)]
    pub fn assess(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        self.0.assess(values, out)
    }

    /// Assesses many patients in one call (`values`: `inputLength` values per patient back to
    /// back; `out`: `outputLength` codes per patient). Returns the number assessed; fewer
    /// than given means `error()` locates the first bad patient.
    #[wasm_bindgen(js_name = assessMany)]
    pub fn assess_many(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        self.0.assess_many(values, out)
    }

    /// Sets the as-of date (`YYYY-MM-DD`, or absent to forget it) for the patients assessed
    /// next: `{"ok": date | null}` or the located error.
    #[wasm_bindgen(js_name = setAsOf)]
    pub fn set_as_of(&mut self, as_of: Option<String>) -> String {
        self.0.set_as_of(as_of.as_deref())
    }

    /// Values per patient (one per fact, in schema order).
    #[wasm_bindgen(js_name = inputLength)]
    pub fn input_len(&self) -> usize {
        self.0.input_len()
    }

    /// Codes per patient: verdict, tables, requirements.
    #[wasm_bindgen(js_name = outputLength)]
    pub fn output_len(&self) -> usize {
        self.0.output_len()
    }

    /// The last error as `{"error": …}`, or an empty string.
    #[wasm_bindgen(js_name = error)]
    pub fn error(&self) -> String {
        self.0.error().into()
    }

    /// The full report of the first patient of the resident input buffer, as codes at
    /// `reportPtr` (named with `Engine.reportTemplate`). Returns how many (0 on error:
    /// `error()` holds it).
    #[wasm_bindgen(js_name = reportResident)]
    pub fn report_resident(&mut self) -> usize {
        self.0.report_resident()
    }

    /// Where the codes of the last `reportResident` start in the module's memory.
    #[wasm_bindgen(js_name = reportPtr)]
    pub fn report_ptr(&self) -> usize {
        self.0.report().as_ptr() as usize
    }

    /// Sizes the resident buffers for `patients` patients; returns the input values they hold,
    /// or 0 when that many would pass the engine's cap on resident buffers (256 MiB; then
    /// `error()` says why and the buffers keep their size). The buffers may move: read
    /// `inputPtr` and `outputPtr` again after each call.
    #[wasm_bindgen(js_name = reserve)]
    pub fn reserve(&mut self, patients: usize) -> usize {
        self.0.reserve(patients)
    }

    /// Where the resident input buffer (`i32` values) starts in the module's memory.
    #[wasm_bindgen(js_name = inputPtr)]
    pub fn input_ptr(&self) -> usize {
        self.0.input().as_ptr() as usize
    }

    /// Where the resident output buffer (`u32` codes) starts in the module's memory.
    #[wasm_bindgen(js_name = outputPtr)]
    pub fn output_ptr(&self) -> usize {
        self.0.output().as_ptr() as usize
    }

    /// Assesses the first `patients` patients of the resident input buffer into the resident
    /// output buffer, with no copy across the boundary. Returns the number assessed (fewer:
    /// `error()` says why).
    #[wasm_bindgen(js_name = assessResident)]
    pub fn assess_resident(&mut self, patients: usize) -> usize {
        self.0.assess_resident(patients)
    }
}

/// One patient's answers, resident so one tap sends only the changed fact.
#[wasm_bindgen]
pub struct Session(JsonSession);

#[wasm_bindgen]
impl Session {
    /// Sets one answer (JSON text) and returns the new report.
    #[wasm_bindgen(js_name = set)]
    pub fn set(&mut self, fact: &str, value_json: &str) -> String {
        self.0.set(fact, value_json)
    }

    /// Sets one answer (JSON text) and writes the compact update (verdict, counts, statuses,
    /// open and hidden questions) as `u32` codes at `codesPtr`, without building the report;
    /// returns how many (0 on error: `error()` holds it). The JS wrapper names them.
    #[wasm_bindgen(js_name = updateCodes)]
    pub fn update_codes(&mut self, fact: &str, value_json: &str) -> usize {
        self.0.update_codes(fact, value_json)
    }

    /// As `set`, with the new report as codes at `codesPtr` (named with
    /// `Engine.reportTemplate`); returns how many (0 on error: `error()` holds it).
    #[wasm_bindgen(js_name = setReportCodes)]
    pub fn set_report_codes(&mut self, fact: &str, value_json: &str) -> usize {
        self.0.set_report_codes(fact, value_json)
    }

    /// Where the codes of the last `updateCodes` or `setReportCodes` start in the module's memory.
    #[wasm_bindgen(js_name = codesPtr)]
    pub fn codes_ptr(&self) -> usize {
        self.0.codes().as_ptr() as usize
    }

    /// The error of the last `updateCodes` as `{"error": …}`, or an empty string.
    #[wasm_bindgen(js_name = error)]
    pub fn error(&self) -> String {
        self.0.error().into()
    }

    /// Sets the as-of date ("today", `YYYY-MM-DD`; absent to forget it) and returns the new
    /// report.
    #[wasm_bindgen(js_name = setAsOf)]
    pub fn set_as_of(&mut self, as_of: Option<String>) -> String {
        self.0.set_as_of(as_of.as_deref())
    }

    /// Clears one answer and returns the new report.
    #[wasm_bindgen(js_name = clear)]
    pub fn clear(&mut self, fact: &str) -> String {
        self.0.clear(fact)
    }

    /// The current report.
    #[wasm_bindgen(js_name = report)]
    pub fn report(&mut self) -> String {
        self.0.report()
    }

    /// Every known answer.
    #[wasm_bindgen(js_name = export)]
    pub fn export(&mut self) -> String {
        self.0.export()
    }

    /// Replaces every answer (atomic).
    #[wasm_bindgen(js_name = import)]
    pub fn import(&mut self, facts_json: &str) -> String {
        self.0.import(facts_json)
    }

    /// Switches checklist.
    #[wasm_bindgen(js_name = setChecklist)]
    pub fn set_checklist(&mut self, checklist: &str) -> String {
        self.0.set_checklist(checklist)
    }
}

/// Talc's single-threaded WASM allocator, which grows the module's memory as needed (the
/// build has no threads). Chosen over dlmalloc for size: 89,143 against 91,174 B gzipped, and
/// on the node harness's paths (loading the national ruleset, JSON reports, sessions, bulk)
/// as fast or faster.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic traps (std with `panic = "abort"` did the same, after formatting a message nobody
/// could read: wasm32-unknown-unknown has no stderr).
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
