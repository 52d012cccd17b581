//! Small-scale geometry on the sphere: metre offsets, great-circle distance,
//! the longitude wrap at ±180°, and the coordinate rounding used on the wire.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Mean Earth radius (IUGG), metres; the same one H3 and most GIS tools use.
pub(crate) const EARTH_RADIUS_M: f64 = 6_371_008.8;

const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Coordinates are written with six decimals (about 10 cm); rounding here,
/// before anything is counted, makes Truth agree with what a reader parses.
pub(crate) fn round6(deg: f64) -> f64 {
    (deg * 1e6).round() / 1e6
}

/// Brings a longitude into [-180, 180], the range the server accepts.
pub(crate) fn wrap_lon(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// The point `east_m` metres east and `north_m` metres north of (lat, lon),
/// on a local flat approximation that is exact enough within a city.
pub(crate) fn offset(lat: f64, lon: f64, east_m: f64, north_m: f64) -> (f64, f64) {
    let lat2 = (lat + north_m / M_PER_DEG).clamp(-90.0, 90.0);
    let cos = lat.to_radians().cos().max(1e-6);
    (lat2, wrap_lon(lon + east_m / (M_PER_DEG * cos)))
}

/// Great-circle (haversine) distance in metres.
pub(crate) fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// A circle on the ground.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Circle {
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Radius in metres.
    pub radius_m: f64,
}

impl Circle {
    /// Whether (lat, lon) is within the circle, by great-circle distance.
    pub(crate) fn contains(&self, lat: f64, lon: f64) -> bool {
        // A cheap latitude test first: most points of a city are far away.
        if (lat - self.lat).abs() * M_PER_DEG > self.radius_m * 1.01 {
            return false;
        }
        distance_m(self.lat, self.lon, lat, lon) <= self.radius_m
    }

    /// A point inside the circle, denser in the middle (a Gaussian with sigma
    /// half the radius, truncated at 90 % of it so rounding and the flat
    /// approximation never push a point out).
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let sigma = self.radius_m / 2.0;
        let limit = self.radius_m * 0.9;
        for _ in 0..32 {
            let (e, n) = gaussian_pair(rng, sigma);
            if e.hypot(n) <= limit {
                let (lat, lon) = offset(self.lat, self.lon, e, n);
                return (round6(lat), round6(wrap_lon(lon)));
            }
        }
        // Reached with probability about 1e-25; the centre is a valid answer.
        (round6(self.lat), round6(self.lon))
    }
}

/// Two independent normal offsets in metres.
pub(crate) fn gaussian_pair(rng: &mut ChaCha8Rng, sigma: f64) -> (f64, f64) {
    let e: f64 = rng.sample(StandardNormal);
    let n: f64 = rng.sample(StandardNormal);
    (e * sigma, n * sigma)
}

/// A uniform point in a lat/lon box; `lon_max` may exceed 180 for boxes that
/// cross the antimeridian, the result is wrapped back.
pub(crate) fn uniform_in_box(rng: &mut ChaCha8Rng, lat: (f64, f64), lon: (f64, f64)) -> (f64, f64) {
    let la = lat.0 + (lat.1 - lat.0) * rng.random::<f64>();
    let lo = lon.0 + (lon.1 - lon.0) * rng.random::<f64>();
    (round6(la), round6(wrap_lon(lo)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn wraps_and_measures() {
        assert_eq!(wrap_lon(181.0), -179.0);
        assert_eq!(wrap_lon(-190.0), 170.0);
        assert_eq!(wrap_lon(180.0), 180.0);
        // One degree of latitude is about 111.2 km.
        assert!((distance_m(55.0, 49.0, 56.0, 49.0) - 111_195.0).abs() < 5.0);
        // Across the antimeridian the distance is short.
        assert!(distance_m(65.0, 179.99, 65.0, -179.99) < 1_000.0);
        let (la, lo) = offset(55.8, 49.1, 500.0, 0.0);
        assert!((distance_m(55.8, 49.1, la, lo) - 500.0).abs() < 1.0);
    }

    #[test]
    fn samples_stay_inside_the_circle() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let c = Circle {
            lat: 64.73,
            lon: 179.999,
            radius_m: 200.0,
        };
        for _ in 0..2000 {
            let (la, lo) = c.sample(&mut rng);
            assert!(c.contains(la, lo));
            assert!((-180.0..=180.0).contains(&lo));
        }
    }
}
