//! Identifiers, tokens and fault dice: a small seeded generator so a scenario replays the same ids.

/// SplitMix64 (Steele, Lea and Flood 2014; the seeder of Java's `SplittableRandom` and of the
/// xoshiro family): tiny, fast, good enough for ids and fault injection (not for secrets). Kept
/// rather than `rand`'s generators: `StdRng` and `SmallRng` may change algorithm in any release
/// (rand's own words), and the journal replays ids from a seed across builds; the portable
/// `ChaCha8Rng` would change every id a scenario or a kept state file already holds, and cost more
/// per host of a million-host fleet. The test below pins the published reference outputs.
#[derive(Debug, Clone)]
pub struct IdGen {
    state: u64,
}

impl IdGen {
    pub fn new(seed: u64) -> IdGen {
        IdGen {
            state: seed ^ 0x5851_f42d_4c95_7f2d,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        finalize(self.state)
    }

    /// A uniform number in `[0, 1)`.
    pub fn fraction(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// 32 lowercase hex digits, the shape of Falcon entity ids (policies, groups, scripts, devices).
    pub fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    /// A UUID-shaped id (sessions, cloud request ids, batch ids, trace ids).
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One SplitMix64 step used as a hash of `h` (a seed mixed with an index), for stable
/// pseudo-random host details: the generator above, not a second one.
pub fn mix(h: u64) -> u64 {
    finalize(h.wrapping_add(GAMMA))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_falcon_shapes() {
        let mut ids = IdGen::new(1);
        let hex = ids.hex32();
        assert_eq!(hex.len(), 32);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
        assert_ne!(IdGen::new(1).hex32(), IdGen::new(2).hex32());
    }

    #[test]
    fn splitmix64_gives_the_reference_outputs() {
        // SplitMix64 from state 0 (the reference C code's first outputs).
        let mut ids = IdGen::new(0x5851_f42d_4c95_7f2d);
        assert_eq!(ids.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(ids.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(ids.next_u64(), 0x06c4_5d18_8009_454f);
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix(GAMMA), 0x6e78_9e6a_a1b9_65f4);
    }
}
