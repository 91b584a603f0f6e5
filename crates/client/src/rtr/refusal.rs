//! Turning Falcon's 403 on an RTR request into an error that names the host, the response policy and
//! the setting, by working out the host's effective policy from the public API.

use crate::engine::Context;
use crate::helpers::caller::Error;
use crate::helpers::hosts::HostInfo;
use crate::ops::commands::{CommandSpec, RTR_SETTING};
use crate::policies::{Policies, unsupported_on};

/// `what` is the command string (or the operation) that was refused; `err` the API's answer.
pub fn explain(
    ctx: &Context,
    host: &HostInfo,
    what: &str,
    command: Option<&'static CommandSpec>,
    err: Error,
) -> Error {
    match Policies::load(ctx) {
        Ok(policies) => explain_with(&policies, host, what, command, err),
        Err(_) => base(
            host,
            what,
            err.context(format!("`{what}` refused on host {}", host.label())),
        ),
    }
}

/// [`explain`] with the tenant's policies already loaded (a batch explains many hosts with one load).
pub fn explain_with(
    policies: &Policies,
    host: &HostInfo,
    what: &str,
    command: Option<&'static CommandSpec>,
    err: Error,
) -> Error {
    let api_text = match err.api_messages() {
        m if m.is_empty() => err.message.clone(),
        m => m.join("; "),
    };
    let base = |e: Error| base(host, what, e);
    if let Some(c) = command
        && unsupported_on(c, host)
    {
        let msg = format!(
            "`{what}` refused on host {}: `{}` is not available on {}",
            host.label(),
            c.name,
            host.platform
        );
        return base(err.with_message(msg));
    }
    let Some(policy) = policies.effective(host) else {
        return base(err.context(format!("`{what}` refused on host {}", host.label())));
    };
    let setting = match command {
        Some(c) => policy.refuses(c),
        None => (!policy.allows(RTR_SETTING)).then_some(RTR_SETTING),
    };
    let Some(setting) = setting else {
        // The policy we see allows it: report what Falcon said, with the policy we found.
        return base(
            err.context(format!(
                "`{what}` refused on host {} (effective response policy `{}`)",
                host.label(),
                policy.name
            ))
            .with("policy_id", policy.id.clone())
            .with("policy_name", policy.name.clone()),
        );
    };
    let mut msg = format!(
        "`{what}` refused on host {}: response policy `{}` ({}) has setting `{setting}` disabled",
        host.label(),
        policy.name,
        policy.id
    );
    if !api_text.is_empty() {
        msg.push_str(&format!(" (Falcon: {api_text})"));
    }
    base(
        err.with_message(msg)
            .with("policy_id", policy.id.clone())
            .with("policy_name", policy.name.clone())
            .with("setting", setting),
    )
}

fn base(host: &HostInfo, what: &str, e: Error) -> Error {
    e.with("device_id", host.device_id.clone())
        .with("hostname", host.hostname.clone())
        .with("command", what.to_string())
        .with("refused", true)
}
