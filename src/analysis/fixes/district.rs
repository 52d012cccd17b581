//! The district trend: the second control of a fix's effect. Appeals of the
//! fix's sector in the whole district holding the fix's centre, in the same
//! windows, so a municipal head sees whether the area merely followed its
//! district (a city-wide drop after a road programme, a seasonal rise). It is
//! reported beside the ring and does not enter the verdict: a district holds
//! the area itself and often other fixes, so it is a trend, not a control
//! group.

use super::count::{Counts, Windows};
use super::effect::Side;
use crate::districts::DistrictMask;
use crate::index::{Data, Filter};
use std::sync::Arc;

/// The district's counts of `sector` in `w`, as a [`Side`] (`cells` is 0: a
/// district is a polygon, not a cell set).
pub fn district_side(data: &Data, mask: Arc<DistrictMask>, sector: u8, w: &Windows) -> Side {
    let mut n = Counts::default();
    if w.before_from < w.after_to {
        let filter = Filter {
            sectors: Some(Filter::sector_set([sector])),
            from: Some(w.before_from),
            to: Some(w.after_to),
            district: Some(mask),
            ..Filter::default()
        };
        data.visit(&filter, |c, i, _| n.add(w, c.created[i]));
    }
    Side::new(0, n, w)
}
