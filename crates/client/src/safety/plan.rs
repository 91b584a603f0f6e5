//! Plan mode's record: each change a playbook would have made, in order, and what was answered in
//! its place, shown to the user at the end (human-readable, or JSON).

use super::arguments::arguments;
use super::planned;
use super::synthetic::{self, ID_PREFIX, is_plan_id};
use super::targets::{self, Targets};
use crate::ops::Response;
use crate::ops::commands::{self, CommandSpec};
use crate::ops::{Effect, Kind as OpKind, ObjectKind, Request};
use crate::terminal;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// One intended change.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub step: usize,
    /// `module::name`, as the playbook called it.
    pub operation: String,
    pub operation_id: &'static str,
    /// `change` (tenant) or `command` (RTR on hosts).
    pub effect: &'static str,
    /// Would be refused without `--allow-destructive`.
    pub destructive: bool,
    /// The RTR command line, for commands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    pub targets: Targets,
    pub arguments: Value,
    /// Ids made up for the objects or commands this step would have created.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planned_ids: Vec<String>,
}

/// A planned command, as its status checks will be answered.
#[derive(Clone, Debug)]
pub struct PlannedCommand {
    pub session_id: String,
    pub base_command: String,
}

#[derive(Debug, Default)]
pub struct Plan {
    steps: Vec<Step>,
    next_id: u64,
    /// Made-up object id -> the record the create answered with.
    records: HashMap<String, Value>,
    commands: HashMap<String, PlannedCommand>,
    /// Objects planned creates would make, as the API would answer for them, in order.
    created: Vec<(ObjectKind, String, Value)>,
    /// Ids planned deletes would remove.
    deleted: Vec<String>,
    /// What the real run would refuse, each in the words its refusal uses, in order: destructive
    /// steps and checks that refuse more than one request (a policy change losing hosts RTR).
    refusals: Vec<String>,
}

impl Plan {
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{ID_PREFIX}{:04}", self.next_id)
    }

    pub fn push(&mut self, mut step: Step) {
        step.step = self.steps.len() + 1;
        self.steps.push(step);
    }

    pub fn remember_record(&mut self, id: String, record: Value) {
        self.records.insert(id, record);
    }

    pub fn record(&self, id: &str) -> Option<&Value> {
        self.records.get(id)
    }

    pub fn remember_command(&mut self, id: String, command: PlannedCommand) {
        self.commands.insert(id, command);
    }

    pub fn command(&self, id: &str) -> Option<&PlannedCommand> {
        self.commands.get(id)
    }

    /// The planned view merged into the answer of a read sent for real.
    pub fn merge_into(&self, req: &Request, body: &mut Value) {
        planned::merge(req, body, &self.created, &self.deleted);
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Notes a refusal the real run would make (the same text it would print).
    pub fn would_refuse(&mut self, refusal: String) {
        self.refusals.push(refusal);
    }

    pub fn refusals(&self) -> &[String] {
        &self.refusals
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(&self.steps).unwrap_or(Value::Null)
    }

    /// The plan as a person reads it: one numbered line per change, its targets and arguments below.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let destructive = self.refusals.len();
        match self.steps.len() {
            0 => out.push_str("plan: no changes; nothing was sent that changes state\n"),
            n => {
                let _ = writeln!(
                    out,
                    "plan: {n} change{} (not sent){}",
                    if n == 1 { "" } else { "s" },
                    if destructive > 0 {
                        format!(
                            ", {destructive} destructive (run with `--allow-destructive` to allow)"
                        )
                    } else {
                        String::new()
                    }
                );
            }
        }
        if !self.refusals.is_empty() {
            // The lines the real run's summary would list, word for word.
            let _ = writeln!(
                out,
                "  refused without `--allow-destructive` ({}):",
                self.refusals.len()
            );
            for r in &self.refusals {
                let _ = writeln!(out, "  - {r}");
            }
        }
        for s in &self.steps {
            let what = match &s.command {
                Some(c) => format!("`{}` via `{}`", terminal::line(c), s.operation),
                None => format!("`{}`", s.operation),
            };
            let _ = writeln!(
                out,
                "  {:>3}. {what}{}",
                s.step,
                if s.destructive { "  [destructive]" } else { "" }
            );
            let t = &s.targets;
            if t.hostnames.len() == t.device_ids.len() && !t.device_ids.is_empty() {
                let hosts: Vec<String> = t
                    .hostnames
                    .iter()
                    .zip(&t.device_ids)
                    .map(|(h, d)| format!("{} ({})", terminal::name(h), terminal::name(d)))
                    .collect();
                let _ = writeln!(out, "       hosts: {}", hosts.join(", "));
            } else {
                if !t.device_ids.is_empty() {
                    let _ = writeln!(out, "       devices: {}", names(&t.device_ids));
                }
                if !t.hostnames.is_empty() {
                    let _ = writeln!(out, "       hostnames: {}", names(&t.hostnames));
                }
            }
            if !t.ids.is_empty() {
                let _ = writeln!(out, "       ids: {}", names(&t.ids));
            }
            if s.arguments.as_object().is_some_and(|m| !m.is_empty()) {
                // JSON escapes C0 controls, not DEL, C1 or bidi overrides.
                let args = s.arguments.to_string();
                let _ = writeln!(out, "       arguments: {}", terminal::line(&args));
            }
            if !s.planned_ids.is_empty() {
                let _ = writeln!(out, "       would create: {}", names(&s.planned_ids));
            }
        }
        out
    }
}

/// Names from hosts and the tenant, as a plan line shows them.
fn names(list: &[String]) -> String {
    let shown: Vec<String> = list.iter().map(|n| terminal::name(n)).collect();
    shown.join(", ")
}

/// Plan mode: reads that name only made-up ids, and status checks of planned commands, are answered here.
pub fn answer_read(req: &Request, plan: &Plan) -> Option<Response> {
    if req.op.effect != Effect::Read {
        return None;
    }
    if let Some(id) = req
        .arg("cloud_request_id")
        .and_then(|v| v.as_str().map(str::to_string))
    {
        if !is_plan_id(&id) {
            return None;
        }
        let (session, base) = plan
            .command(&id)
            .map(|c| (c.session_id.clone(), c.base_command.clone()))
            .unwrap_or_default();
        return Some(synthetic::command_status(req, &session, &base));
    }
    let ids: Vec<String> = ["ids", "id"]
        .iter()
        .flat_map(|k| req.arg(k).map(|v| targets::strings(&v)).unwrap_or_default())
        .collect();
    if ids.is_empty() || !ids.iter().all(|i| is_plan_id(i)) {
        return None;
    }
    let records = ids.iter().filter_map(|i| plan.record(i).cloned()).collect();
    Some(synthetic::read_of_planned(req, records))
}

/// Plan mode: records the change and makes up its answer.
pub fn record_step(
    plan: &mut Plan,
    req: &Request,
    targets: Targets,
    command: Option<(String, Option<&'static CommandSpec>)>,
    destructive: bool,
    batch_hosts: &[(String, String)],
) -> Response {
    let line = command.as_ref().map(|(l, _)| l.clone());
    let mut planned_ids = Vec::new();
    let answer = if req.op.effect == Effect::Command {
        let base = line
            .as_deref()
            .map(|l| commands::base_of(l).to_string())
            .unwrap_or_default();
        if targets.batch_id.is_some() {
            synthetic::batch_command(req, &base, batch_hosts, &mut || {
                let id = plan.new_id();
                planned_ids.push(id.clone());
                id
            })
        } else {
            let id = plan.new_id();
            plan.remember_command(
                id.clone(),
                PlannedCommand {
                    session_id: targets.session_id.clone().unwrap_or_default(),
                    base_command: base,
                },
            );
            planned_ids.push(id.clone());
            synthetic::command(req, &id)
        }
    } else {
        let mut answer = synthetic::change(req, &targets, &mut || plan.new_id());
        let kind = req.op.creates;
        if let Some(resources) = answer
            .body
            .get_mut("resources")
            .and_then(Value::as_array_mut)
            .filter(|_| req.op.kind == OpKind::Create)
        {
            for r in resources.iter_mut() {
                let Some(id) = r.get("id").and_then(Value::as_str).map(str::to_string) else {
                    continue;
                };
                if let (Some(kind), Value::Object(sent)) = (kind, r.clone()) {
                    *r = planned::shape(kind, &id, sent);
                    plan.created.push((kind, id.clone(), r.clone()));
                }
                planned_ids.push(id.clone());
                plan.remember_record(id, r.clone());
            }
        }
        if req.op.kind == OpKind::Delete {
            plan.deleted.extend(targets.ids.iter().cloned());
        }
        answer
    };
    plan.push(Step {
        step: 0,
        operation: req.op.qualified_name(),
        operation_id: req.op.id,
        effect: if req.op.effect == Effect::Command {
            "command"
        } else {
            "change"
        },
        destructive,
        command: line.filter(|l| !l.is_empty()),
        targets,
        arguments: arguments(req),
        planned_ids,
    });
    answer
}
