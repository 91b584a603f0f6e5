//! Repeated measurements: median and range, printed in one unit.

#[derive(Clone, Debug)]
pub struct Samples {
    values: Vec<f64>,
    unit: &'static str,
    decimals: usize,
}

impl Samples {
    pub fn new(unit: &'static str, decimals: usize) -> Samples {
        Samples {
            values: Vec::new(),
            unit,
            decimals,
        }
    }

    pub fn push(&mut self, v: f64) {
        self.values.push(v);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn median(&self) -> f64 {
        let mut v = self.values.clone();
        v.sort_by(f64::total_cmp);
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    pub fn min(&self) -> f64 {
        self.values.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub fn max(&self) -> f64 {
        self.values
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }

    pub fn show(&self, v: f64) -> String {
        format!("{v:.*} {}", self.decimals, self.unit)
    }

    pub fn median_text(&self) -> String {
        self.show(self.median())
    }

    pub fn range_text(&self) -> String {
        format!(
            "{:.*} – {:.*} {}",
            self.decimals,
            self.min(),
            self.decimals,
            self.max(),
            self.unit
        )
    }
}
