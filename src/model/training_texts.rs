//! The fingerprints of the texts a model was trained on, kept in the model
//! file so that `stance suggest` never offers a training row for labelling.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::analysis::text_fingerprint;

/// Most training rows whose fingerprints are stored (16 hex digits each in the
/// model's JSON header: 16 MB at this many, half the header limit).
pub const MAX_FINGERPRINTS: usize = 1_000_000;

/// Fingerprints ([`text_fingerprint`]) of the training texts, sorted, without repeats.
///
/// Stored as one string of 16 hex digits per fingerprint; empty (and not
/// written) for models trained before they were recorded, or on more than
/// [`MAX_FINGERPRINTS`] rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrainingTexts {
    sorted: Vec<u64>,
}

impl TrainingTexts {
    /// The fingerprints of `texts`; none when there are more than [`MAX_FINGERPRINTS`].
    pub fn of(texts: &[String]) -> TrainingTexts {
        if texts.len() > MAX_FINGERPRINTS {
            return TrainingTexts::default();
        }
        let mut sorted: Vec<u64> = texts.iter().map(|t| text_fingerprint(t)).collect();
        sorted.sort_unstable();
        sorted.dedup();
        TrainingTexts { sorted }
    }

    /// Whether a text with this fingerprint was trained on.
    pub fn contains(&self, fingerprint: u64) -> bool {
        self.sorted.binary_search(&fingerprint).is_ok()
    }

    /// How many distinct texts are recorded.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether none are recorded.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }
}

impl Serialize for TrainingTexts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut hex = String::with_capacity(16 * self.sorted.len());
        for f in &self.sorted {
            hex.push_str(&format!("{f:016x}"));
        }
        s.serialize_str(&hex)
    }
}

impl<'de> Deserialize<'de> for TrainingTexts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let hex = String::deserialize(d)?;
        if hex.len() % 16 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(serde::de::Error::custom(
                "training_texts is not a string of 16-digit hex fingerprints",
            ));
        }
        let mut sorted = Vec::with_capacity(hex.len() / 16);
        for i in (0..hex.len()).step_by(16) {
            let f = u64::from_str_radix(&hex[i..i + 16], 16).map_err(serde::de::Error::custom)?;
            sorted.push(f);
        }
        if sorted.windows(2).any(|w| w[0] >= w[1]) {
            return Err(serde::de::Error::custom(
                "training_texts fingerprints are not sorted",
            ));
        }
        Ok(TrainingTexts { sorted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_finds_normalised_texts() {
        let t = TrainingTexts::of(&[
            "MPs voted.".into(),
            "It rained.".into(),
            "mps  voted".into(),
        ]);
        assert_eq!(t.len(), 2);
        assert!(t.contains(text_fingerprint("MPS VOTED!")));
        assert!(!t.contains(text_fingerprint("It snowed.")));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json.len(), 2 + 32);
        assert_eq!(serde_json::from_str::<TrainingTexts>(&json).unwrap(), t);
        assert!(serde_json::from_str::<TrainingTexts>("\"00zz\"").is_err());
        let unsorted = format!("\"{:016x}{:016x}\"", 2, 1);
        assert!(serde_json::from_str::<TrainingTexts>(&unsorted).is_err());
    }
}
