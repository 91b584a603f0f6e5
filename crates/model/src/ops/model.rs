//! The vocabulary of the operation table: what an operation, a parameter and a body shape are.
//!
//! Everything here is plain `'static` data so the table is a `const` and costs nothing at start-up.

pub use super::op_id::OpId;
use std::fmt;

/// A Falcon service collection, named as FalconPy's service class in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    ResponsePolicies,
    RealTimeResponseAdmin,
    RealTimeResponse,
    Hosts,
    HostGroup,
    OAuth2,
    Alerts,
    Ioc,
    Incidents,
}

impl Collection {
    pub const ALL: [Collection; 9] = [
        Collection::ResponsePolicies,
        Collection::RealTimeResponseAdmin,
        Collection::RealTimeResponse,
        Collection::Hosts,
        Collection::HostGroup,
        Collection::OAuth2,
        Collection::Alerts,
        Collection::Ioc,
        Collection::Incidents,
    ];

    /// The Rhai module name (FalconPy's class name in snake_case).
    pub fn module(self) -> &'static str {
        match self {
            Collection::ResponsePolicies => "response_policies",
            Collection::RealTimeResponseAdmin => "real_time_response_admin",
            Collection::RealTimeResponse => "real_time_response",
            Collection::Hosts => "hosts",
            Collection::HostGroup => "host_group",
            Collection::OAuth2 => "oauth2",
            Collection::Alerts => "alerts",
            Collection::Ioc => "ioc",
            Collection::Incidents => "incidents",
        }
    }

    /// The collection name as the reference (`operations.json`) spells it.
    pub fn reference_name(self) -> &'static str {
        match self {
            Collection::ResponsePolicies => "response-policies",
            Collection::RealTimeResponseAdmin => "real-time-response-admin",
            Collection::RealTimeResponse => "real-time-response",
            Collection::Hosts => "hosts",
            Collection::HostGroup => "host-group",
            Collection::OAuth2 => "oauth2",
            Collection::Alerts => "alerts",
            Collection::Ioc => "ioc",
            Collection::Incidents => "incidents",
        }
    }

    /// Whether playbooks may call this collection. Tokens are the client's business, never a script's.
    pub fn scriptable(self) -> bool {
        self != Collection::OAuth2
    }

    pub fn from_module(name: &str) -> Option<Collection> {
        Collection::ALL
            .into_iter()
            .find(|c| c.module() == name || c.reference_name() == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Query,
    Body,
    FormData,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Query => "query",
            Location::Body => "body",
            Location::FormData => "formData",
        }
    }
}

/// The wire type of a parameter or body field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Integer,
    Boolean,
    /// An array of strings; a single string is accepted and wrapped.
    StringArray,
    /// A JSON object (the `body` parameter of most writes).
    Object,
    /// A JSON array (the `body` of aggregates).
    Array,
    /// A file upload: a path, or a map `#{ filename, content }`.
    File,
    /// Any JSON value, passed through (e.g. policy `settings`).
    Any,
}

impl Type {
    pub fn describe(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Integer => "integer",
            Type::Boolean => "boolean",
            Type::StringArray => "string or array of strings",
            Type::Object => "map",
            Type::Array => "array",
            Type::File => "file path or #{filename, content}",
            Type::Any => "any value",
        }
    }
}

/// The request media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consumes {
    Json,
    Multipart,
    Form,
}

/// A declared parameter, exactly as the reference lists it.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub location: Location,
    pub ty: Type,
    pub required: bool,
    pub allowed: &'static [&'static str],
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub default: Option<&'static str>,
    /// `collectionFormat: multi`: one `name=value` pair per element.
    pub multi: bool,
    /// The range the spec's description text documents where its schema gives none (FalconPy's
    /// `The maximum records to return. [1-5000]`); the real API refuses a value outside it. Apart
    /// from `min`/`max`, which stay the reference's exactly.
    pub documented_range: Option<(i64, i64)>,
    /// The spec's `maxItems` for a list: the API refuses a longer one (and 5,000 ids in a query
    /// string cannot even be sent), so it is refused before anything is sent.
    pub max_items: Option<usize>,
}

impl Param {
    /// The range a value must fall in: the schema's bounds, else the documented ones.
    pub fn range(&self) -> (Option<i64>, Option<i64>) {
        match (self.min, self.max, self.documented_range) {
            (None, None, Some((lo, hi))) => (Some(lo), Some(hi)),
            (min, max, _) => (min, max),
        }
    }
}

/// How FalconPy wraps the convenience keys into a JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrap {
    /// `{ field: value, ... }`
    Object,
    /// `{ "resources": [ { field: value, ... } ] }`
    Resources,
    /// `[ { field: value, ... } ]`
    List,
    /// `{ "comment": .., "indicators": [ { field: value, ... } ] }`: FalconPy's IOC bodies, where
    /// `comment` belongs to the request (the audit trail) and every other key to the one indicator.
    Indicators,
}

impl Wrap {
    /// The body key holding the items of a wrapped body.
    pub fn items_key(self) -> Option<&'static str> {
        match self {
            Wrap::Object | Wrap::List => None,
            Wrap::Resources => Some("resources"),
            Wrap::Indicators => Some("indicators"),
        }
    }
}

/// A convenience key that FalconPy accepts and moves into the JSON body.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    /// Required by the API for this body to be meaningful (checked when no `body` is given).
    pub required: bool,
    pub allowed: &'static [&'static str],
    /// The most items the API takes in this list (Falcon's documented cap where the spec's schema
    /// gives none): a longer one is refused before anything is sent.
    pub max_items: Option<usize>,
}

/// The JSON body an operation takes, and the convenience keys that build it.
#[derive(Debug)]
pub struct BodyShape {
    /// The reference's schema name (e.g. `domain.CommandExecuteRequest`).
    pub schema: &'static str,
    pub wrap: Wrap,
    pub fields: &'static [Field],
    /// Keys that become `action_parameters: [{ name, value }]` (FalconPy's `group_id`, `filter`).
    pub action_parameters: &'static [&'static str],
}

/// What an operation does, finer than its `Effect`: the guard and plan mode decide by it, never by a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Reads only (GETs and POST-as-query operations).
    Read,
    /// Creates a tenant object (policy, group, script, put-file).
    Create,
    /// Changes an existing tenant object.
    Update,
    /// Deletes a tenant object, a session's file or a queued command: cannot be undone.
    Delete,
    /// Performs an action on objects (containment, group membership, precedence, enable/disable).
    Action,
    /// Opens, refreshes or closes RTR sessions (and OAuth2 tokens).
    Session,
    /// Runs an RTR command on hosts.
    Command,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Create => "create",
            Kind::Update => "update",
            Kind::Delete => "delete",
            Kind::Action => "action",
            Kind::Session => "session",
            Kind::Command => "command",
        }
    }
}

/// What an operation's success answer holds in `resources`; plan mode answers in that shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Records (objects): `get_policies`, `perform_group_action`.
    Records,
    /// Ids (strings): `query_policies`, `set_policies_precedence`.
    Ids,
    /// Anything else: file bytes, command status, meta only.
    Other,
}

/// A tenant object plan mode keeps in its view (`tools/spec/facts.json`): what planned creates make
/// and what listings of it then show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Policy,
    HostGroup,
    Script,
    PutFile,
}

/// What a session operation's answer says about the sessions it opened, from its response schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opens {
    /// `resources[].session_id`: the session of the request's `device_id`.
    Session,
    /// `batch_id`, and `resources` keyed by device id, each with its `session_id`.
    Batch,
}

/// What an operation does to the world; decides retries, plan mode and the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Reads only (including POST-as-query operations); safe to send again.
    Read,
    /// Opens, refreshes or closes RTR sessions: needed even in plan mode, never re-sent blindly.
    Session,
    /// Changes tenant state (policies, groups, scripts, files, containment).
    Change,
    /// Runs an RTR command on hosts: must never be sent twice.
    Command,
}

/// One Falcon API operation.
#[derive(Debug)]
pub struct Operation {
    /// This row's variant of `OpId`, for code that must name an operation: the compiler checks it.
    pub key: OpId,
    pub collection: Collection,
    /// The spec's `operationId`.
    pub id: &'static str,
    /// FalconPy's endpoint key (`-` and `.` become `_`); the name a playbook may also call.
    pub falconpy_id: &'static str,
    /// FalconPy's PEP 8 method name.
    pub name: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub consumes: Consumes,
    pub params: &'static [Param],
    pub body: Option<&'static BodyShape>,
    /// The status a success answers with.
    pub success: u16,
    /// A success answers with file bytes (`produces` other than JSON), saved to disk rather than parsed.
    pub binary: bool,
    pub kind: Kind,
    /// What a success answer's `resources` hold, from the spec's response schema.
    pub answer: Answer,
    /// Derived from `kind` by the generator (read; session; command; everything else changes state).
    pub effect: Effect,
    /// The kind of object a success creates (a `Create`).
    pub creates: Option<ObjectKind>,
    /// The kind of object a success lists (a `Read`), as `answer` says: ids or records.
    pub lists: Option<ObjectKind>,
    /// The sessions a success opens, as its answer names them.
    pub opens: Option<Opens>,
    /// Error answers carry `resources: []` beside `meta` and `errors`: the spec's 400 schema has
    /// `resources` (`*.RespV1`, `msa.QueryResponse`), not only `{meta, errors}` (`msa.ReplyMetaOnly`,
    /// `detectsapi.ResponseFields`). An operation documenting no 400 answers as its collection's do.
    pub error_resources: bool,
    /// Refused unless the run allows destructive requests. For RTR commands the command catalogue
    /// (`ops::commands`) may clear it; a command it does not know stays destructive.
    pub destructive: bool,
    pub summary: &'static str,
}

impl Operation {
    /// Whether the operation changes state anywhere (tenant or hosts).
    pub fn changes_state(&self) -> bool {
        self.effect != Effect::Read
    }

    /// Whether losing the answer means we cannot know if it took effect, so it must not be re-sent.
    pub fn retry_safe(&self) -> bool {
        self.effect == Effect::Read
    }

    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The most items the API takes in the body list `name`, where the table gives a cap: the one
    /// number the raw operation, the `rtr::batch` helper and the emulator all refuse beyond.
    pub fn body_max_items(&self, name: &str) -> Option<usize> {
        self.body?.fields.iter().find(|f| f.name == name)?.max_items
    }

    /// `module::name`, as a playbook writes it.
    pub fn qualified_name(&self) -> String {
        format!("{}::{}", self.collection.module(), self.name)
    }
}
