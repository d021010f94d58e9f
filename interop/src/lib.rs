//! Interchange for Homeward, shared by the `homeward` command line and the `homeward-serve` CDS
//! Hooks service: the fact schema as a FHIR R4 (SDC) Questionnaire and a QuestionnaireResponse
//! read back as facts, exactly or not at all ([`fhir`]); CDS Hooks 2.0 cards for a report
//! ([`cds`]); the plain-English rulebook ([`rulebook`]).

pub mod cds;
pub mod fhir;
pub mod rulebook;
