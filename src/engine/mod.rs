//! The Rhai layer: one generic caller registered for every operation of the table.
