//! The report: one section per case, written as `BENCHMARKS.md`.

use crate::stats::Samples;
use std::fmt::Write;

#[derive(Default)]
pub struct Section {
    pub title: String,
    /// What is measured and how, in a sentence or two.
    pub method: String,
    pub commands: Vec<String>,
    /// (measurement, samples, remark)
    pub rows: Vec<(String, Samples, String)>,
    /// (what over what, ratio of medians)
    pub ratios: Vec<(String, f64)>,
    pub targets: Vec<Target>,
    pub notes: Vec<String>,
}

pub struct Target {
    pub goal: String,
    pub verdict: Verdict,
}

pub enum Verdict {
    Met(String),
    NotMet(String),
    NotRun(String),
}

impl Section {
    pub fn new(title: &str, method: &str) -> Section {
        Section {
            title: title.into(),
            method: method.into(),
            ..Section::default()
        }
    }

    pub fn row(&mut self, what: &str, samples: &Samples, remark: impl Into<String>) {
        self.rows
            .push((what.into(), samples.clone(), remark.into()));
    }

    pub fn ratio(&mut self, what: &str, numerator: &Samples, denominator: &Samples) -> f64 {
        let r = numerator.median() / denominator.median();
        self.ratios.push((what.into(), r));
        r
    }

    /// A target judged by `met`, with the measured value in both verdicts.
    pub fn target(&mut self, goal: &str, met: bool, measured: String) {
        self.targets.push(Target {
            goal: goal.into(),
            verdict: if met {
                Verdict::Met(measured)
            } else {
                Verdict::NotMet(measured)
            },
        });
    }

    pub fn not_run(&mut self, goal: &str, why: &str) {
        self.targets.push(Target {
            goal: goal.into(),
            verdict: Verdict::NotRun(why.into()),
        });
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "## {}\n\n{}\n", self.title, self.method);
        if !self.commands.is_empty() {
            let _ = writeln!(out, "```sh");
            for c in &self.commands {
                let _ = writeln!(out, "{c}");
            }
            let _ = writeln!(out, "```\n");
        }
        if !self.rows.is_empty() {
            let _ = writeln!(
                out,
                "| measurement | median | range (min – max) | runs | notes |"
            );
            let _ = writeln!(out, "| --- | ---: | ---: | ---: | --- |");
            for (what, s, remark) in &self.rows {
                let _ = writeln!(
                    out,
                    "| {what} | {} | {} | {} | {remark} |",
                    s.median_text(),
                    s.range_text(),
                    s.len()
                );
            }
            let _ = writeln!(out);
        }
        for (what, r) in &self.ratios {
            let _ = writeln!(out, "- ratio {what}: **{r:.2}x** (medians, same run)");
        }
        if !self.ratios.is_empty() {
            let _ = writeln!(out);
        }
        for t in &self.targets {
            let line = match &t.verdict {
                Verdict::Met(m) => format!("- target {}: **met** ({m})", t.goal),
                Verdict::NotMet(m) => format!("- target {}: **not met**: {m}", t.goal),
                Verdict::NotRun(why) => format!("- target {}: **not run**: {why}", t.goal),
            };
            let _ = writeln!(out, "{line}");
        }
        if !self.targets.is_empty() {
            let _ = writeln!(out);
        }
        for n in &self.notes {
            let _ = writeln!(out, "{n}\n");
        }
    }
}

/// Every section in order, under a header the caller writes.
pub fn render(header: &str, sections: &[Section]) -> String {
    let mut out = header.to_string();
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "| case | target | verdict |");
    let _ = writeln!(out, "| --- | --- | --- |");
    for s in sections {
        for t in &s.targets {
            let verdict = match &t.verdict {
                Verdict::Met(m) => format!("met ({m})"),
                Verdict::NotMet(m) => format!("**not met**: {m}"),
                Verdict::NotRun(why) => format!("not run: {why}"),
            };
            let _ = writeln!(out, "| {} | {} | {verdict} |", s.title, t.goal);
        }
    }
    let _ = writeln!(out);
    for s in sections {
        s.write(&mut out);
    }
    out
}
