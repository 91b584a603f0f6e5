//! Local accounts of a host.

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub name: String,
    /// Windows SID, or `uid` on Linux and Mac.
    pub sid: String,
    pub uid: u32,
    pub admin: bool,
    pub home: String,
    /// Unix seconds of the last logon, 0 for never.
    pub last_logon: i64,
}
