//! The fixed-seed generator behind simulator datasets.

/// SplitMix64 (Steele, Lea, Flood 2014): the fixed-seed generator behind simulator
/// datasets. Tiny and fully specified, so a dataset drawn from it is the same on every
/// build and in every version of this crate, whatever other crates' random-number
/// algorithms become; every method below draws in a documented way, and changing one
/// would change every dataset (adapters pin theirs with fingerprint tests).
///
/// It is predictable by design: use it for simulated data only, never for anything that
/// needs secrecy (nonces, tokens, keys come from the OS CSPRNG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 bits: the state advances by `0x9e3779b97f4a7c15` and is mixed by two
    /// multiply-xorshift rounds.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`: one draw, reduced modulo `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// A number in `low..=high`, of the bounds' type: `low` plus [`SplitMix64::below`] the
    /// span. `low` when `high` < `low`.
    pub fn between<N>(&mut self, low: N, high: N) -> N
    where
        N: Copy + Into<u64> + TryFrom<u64>,
    {
        let (from, to) = (low.into(), high.into());
        let drawn = from + self.below(to.saturating_sub(from).saturating_add(1));
        N::try_from(drawn).unwrap_or(low)
    }

    /// True with probability `percent`/100: one draw below 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index in `0..len`: one draw below `len`.
    pub fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or_default()
    }

    /// One item of `items` ([`SplitMix64::index`]); `None`, drawing nothing, when `items`
    /// is empty.
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> Option<&'t T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.index(items.len()))
    }

    /// The index of one of `items`, each chosen in proportion to its `weight`: one draw
    /// below the total weight. 0 when nothing weighs anything (after one draw all the
    /// same).
    pub fn weighted_index<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u64) -> usize {
        let total = items
            .iter()
            .fold(0u64, |total, item| total.saturating_add(weight(item)));
        let mut roll = self.below(total.max(1));
        for (i, item) in items.iter().enumerate() {
            let weight = weight(item);
            if roll < weight {
                return i;
            }
            roll -= weight;
        }
        0
    }

    /// One value of a table of `(value, weight)` pairs ([`SplitMix64::weighted_index`]);
    /// `None` when the table is empty.
    pub fn weighted<'t, T>(&mut self, items: &'t [(T, u64)]) -> Option<&'t T> {
        let index = self.weighted_index(items, |(_, weight)| *weight);
        items.get(index).map(|(value, _)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_draws_the_reference_sequence() {
        let mut rng = SplitMix64::new(0);
        // Reference values of SplitMix64 seeded with 0.
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        assert_eq!(a.between(10u64, 20), 10 + b.next_u64() % 11);
        assert_eq!(a.percent(30), b.next_u64() % 100 < 30);
        assert_eq!(
            a.pick(&["x", "y", "z"]),
            ["x", "y", "z"].get((b.next_u64() % 3) as usize)
        );
        assert_eq!(a.pick::<u8>(&[]), None);
        assert_eq!(a.below(0), 0);
        b.next_u64();
        assert_eq!(a.between(5u8, 3), 5);
        b.next_u64();
        assert_eq!(a, b);
        let table = [("never", 0), ("always", 5)];
        assert_eq!(a.weighted(&table), Some(&"always"));
        assert_eq!(a.weighted::<u8>(&[]), None);
    }
}
