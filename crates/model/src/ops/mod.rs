//! The operation table and what reads it directly: lookup by name or route, and request building.

mod api_error;
pub mod command_flags;
pub mod commands;
pub mod model;
mod op_id;
mod policy_settings;
pub mod redact;
pub mod request;
mod response;
pub mod suggest;
pub mod table;

pub use api_error::ApiError;
pub use model::*;
pub use request::{ArgError, Body, FileSource, Part, PartContent, Request, build};
pub use response::Response;
pub use table::OPERATIONS;

impl OpId {
    /// The table row of this operation. Here, above both the ids and the table, so neither file
    /// imports the other back.
    pub fn op(self) -> &'static Operation {
        &OPERATIONS[self as usize]
    }
}

/// Finds a scriptable operation by module and name (PEP 8 name, operation id or FalconPy id).
pub fn find(module: &str, name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| {
        op.collection.module() == module
            && (op.name == name || op.id == name || op.falconpy_id == name)
    })
}

/// Finds an operation by its operation id.
pub fn by_id(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.id == id)
}

/// Finds the operation a request's method and path address (the emulator's router).
pub fn by_route(method: &str, path: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|op| op.path == path && op.method.as_str().eq_ignore_ascii_case(method))
}

/// The operations of one collection, in table order.
pub fn in_collection(collection: Collection) -> impl Iterator<Item = &'static Operation> {
    OPERATIONS
        .iter()
        .filter(move |op| op.collection == collection)
}
