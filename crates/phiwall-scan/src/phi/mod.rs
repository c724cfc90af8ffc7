//! PHI recognizers. Each submodule owns one family and exposes `detectors()`; this module is the
//! registry the [`crate::Scanner`] builds from.
//!
//! | module | types |
//! |---|---|
//! | `structured` | SSN, PHONE, FAX, EMAIL, URL, IP_ADDRESS, CREDIT_CARD, MRN, HEALTH_PLAN_ID, ACCOUNT_NUMBER, LICENSE_NUMBER, VEHICLE_ID, DEVICE_ID, BIOMETRIC_ID, OTHER_ID |
//! | `dates`, `age`, `address`, `campus`, `community`, `named_street`, `intersection`, `unsuffixed_street`, `county`, `transfers`, `residence` | DATE, AGE, ADDRESS |
//! | `names` | NAME, EMPLOYER |
//! | `spoken` | the normalized view of transcripts, and spoken-only forms |

pub mod address;
pub(crate) mod address_block;
pub mod age;
pub mod campus;
pub mod community;
pub mod context;
pub mod county;
pub mod dates;
pub mod intersection;
pub mod named_street;
pub mod names;
pub mod residence;
pub mod spoken;
pub mod structured;
pub mod tagger;
pub mod transfers;
pub mod unsuffixed_street;
pub mod validators;

use crate::detector::Detector;
use std::sync::Arc;

/// Every detector run over original text and over spoken views, in a fixed order. `tagger` is
/// the learned name and place tagger the names detector runs beside its rules, if any.
pub fn default_detectors(tagger: Option<Arc<tagger::Model>>) -> Vec<Box<dyn Detector>> {
    let mut v: Vec<Box<dyn Detector>> = Vec::new();
    v.extend(structured::detectors());
    v.extend(dates::detectors());
    v.extend(age::detectors());
    v.extend(address::detectors());
    v.push(Box::new(campus::CampusTowns));
    v.push(Box::new(community::NamedCommunities));
    v.push(Box::new(named_street::NamedStreets));
    v.push(Box::new(intersection::Intersections));
    v.push(Box::new(unsuffixed_street::UnsuffixedStreets));
    v.push(Box::new(county::CountyNames));
    v.extend(transfers::detectors());
    v.extend(residence::detectors());
    v.extend(names::detectors(tagger));
    v
}
