//! Turns the tables of `cities` into draws: where a background appeal comes
//! from, its exact point, and a plausible address.

use super::cities::{
    COMMON_STREETS, KAZAN, KAZAN_BBOX, KAZAN_NAME, RURAL, RUSSIAN_CITIES, VILLAGES, in_kazan_water,
};
use super::pick::Pick;
use super::space::{gaussian_pair, offset, round6, uniform_in_box, wrap_lon};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// Share of country appeals spread over rural regions rather than cities.
pub(crate) const RURAL_SHARE: f64 = 0.10;

/// Where a background appeal comes from: a district (city) or a city or rural
/// region (country), and the local UTC offset people there live by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// Index into the scenario's place list.
    pub id: u16,
    /// Local UTC offset, hours.
    pub utc_offset_h: i32,
}

/// The scenario's map: which places exist and how to draw points in them.
#[derive(Debug)]
pub(crate) enum Geography {
    /// Kazan's districts and their residential clusters.
    Kazan {
        /// District by population.
        districts: Pick,
        /// Cluster within each district.
        clusters: Vec<Pick>,
    },
    /// Russia's cities (ids `0..RUSSIAN_CITIES.len()`) then its rural boxes.
    Russia {
        /// City or rural box.
        places: Pick,
    },
}

impl Geography {
    /// Kazan, weighted by district population.
    pub(crate) fn kazan() -> Geography {
        Geography::Kazan {
            districts: Pick::new(KAZAN.iter().map(|d| d.population_k)),
            clusters: KAZAN
                .iter()
                .map(|d| Pick::new(d.clusters.iter().map(|c| c.3)))
                .collect(),
        }
    }

    /// Russia: cities by population, plus a rural share over the settled extent.
    pub(crate) fn russia() -> Geography {
        let city_total: f64 = RUSSIAN_CITIES.iter().map(|c| c.population_k).sum();
        let rural_total: f64 = RURAL.iter().map(|b| b.2).sum();
        let weights = RUSSIAN_CITIES
            .iter()
            .map(|c| (1.0 - RURAL_SHARE) * c.population_k / city_total)
            .chain(RURAL.iter().map(|b| RURAL_SHARE * b.2 / rural_total));
        Geography::Russia {
            places: Pick::new(weights),
        }
    }

    /// Number of places, for per-place tallies.
    pub(crate) fn place_count(&self) -> usize {
        match self {
            Geography::Kazan { .. } => KAZAN.len(),
            Geography::Russia { .. } => RUSSIAN_CITIES.len() + RURAL.len(),
        }
    }

    /// Draws where the next background appeal comes from.
    pub(crate) fn place(&self, rng: &mut ChaCha8Rng) -> Place {
        match self {
            Geography::Kazan { districts, .. } => Place {
                id: districts.draw(rng) as u16,
                utc_offset_h: 3,
            },
            Geography::Russia { places } => {
                let id = places.draw(rng);
                let utc_offset_h = match RUSSIAN_CITIES.get(id) {
                    Some(c) => c.utc_offset_h,
                    None => RURAL[id - RUSSIAN_CITIES.len()].3,
                };
                Place {
                    id: id as u16,
                    utc_offset_h,
                }
            }
        }
    }

    /// Draws a point (rounded to the wire's six decimals) within `place`.
    pub(crate) fn point(&self, place: u16, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let id = usize::from(place);
        match self {
            Geography::Kazan { clusters, .. } => {
                let d = &KAZAN[id];
                let (lat0, lon0, sigma, _) = d.clusters[clusters[id].draw(rng)];
                // Redraw points that fall outside the city or into the river; a
                // dozen tries leave a vanishing chance of falling back to the centre.
                for _ in 0..12 {
                    let (e, n) = gaussian_pair(rng, sigma);
                    let (lat, lon) = offset(lat0, lon0, e, n);
                    let [w, s, east, north] = KAZAN_BBOX;
                    if (s..=north).contains(&lat)
                        && (w..=east).contains(&lon)
                        && !in_kazan_water(lat, lon)
                    {
                        return (round6(lat), round6(lon));
                    }
                }
                (round6(lat0), round6(lon0))
            }
            Geography::Russia { .. } => match RUSSIAN_CITIES.get(id) {
                Some(c) => {
                    // Larger cities sprawl further: Moscow ~16 km, Anadyr ~1.5 km.
                    let sigma = 600.0 * c.population_k.powf(0.35);
                    let (e, n) = gaussian_pair(rng, sigma);
                    let (lat, lon) = offset(c.lat, c.lon, e, n);
                    (round6(lat), round6(wrap_lon(lon)))
                }
                None => {
                    let (lat, lon, _, _) = RURAL[id - RUSSIAN_CITIES.len()];
                    uniform_in_box(rng, lat, lon)
                }
            },
        }
    }

    /// Writes an address in `place` into `out` (cleared first).
    pub(crate) fn address(&self, place: u16, rng: &mut ChaCha8Rng, out: &mut String) {
        let id = usize::from(place);
        out.clear();
        match self {
            Geography::Kazan { .. } => {
                let streets = KAZAN[id].streets;
                out.push_str("г. ");
                out.push_str(KAZAN_NAME);
                out.push_str(", ");
                out.push_str(streets[rng.random_range(0..streets.len())]);
            }
            Geography::Russia { .. } => {
                match RUSSIAN_CITIES.get(id) {
                    Some(c) => {
                        out.push_str("г. ");
                        out.push_str(c.name);
                    }
                    None => out.push_str(VILLAGES[rng.random_range(0..VILLAGES.len())]),
                }
                out.push_str(", ");
                out.push_str(COMMON_STREETS[rng.random_range(0..COMMON_STREETS.len())]);
            }
        }
        write_house(rng, out);
    }
}

/// Appends `, д. N` with an occasional building and flat number; flats make the
/// address personal data, as real ones are.
fn write_house(rng: &mut ChaCha8Rng, out: &mut String) {
    let u = rng.random::<f64>();
    let house = 1 + (u * u * 140.0) as u32;
    let r = rng.random::<u32>();
    // Writing to a String cannot fail.
    let _ = write!(out, ", д. {house}");
    if r % 10 == 0 {
        let _ = write!(out, ", к. {}", 1 + r / 10 % 4);
    }
    if r % 3 == 0 {
        let _ = write!(out, ", кв. {}", 1 + r / 40 % 180);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn kazan_points_stay_in_the_city_and_addresses_look_right() {
        let g = Geography::kazan();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut s = String::new();
        for _ in 0..5_000 {
            let p = g.place(&mut rng);
            let (lat, lon) = g.point(p.id, &mut rng);
            assert!((KAZAN_BBOX[1]..=KAZAN_BBOX[3]).contains(&lat));
            assert!((KAZAN_BBOX[0]..=KAZAN_BBOX[2]).contains(&lon));
            g.address(p.id, &mut rng, &mut s);
            assert!(s.starts_with("г. Казань, ") && s.contains(", д. "), "{s}");
        }
    }

    #[test]
    fn russia_has_a_rural_share_and_cities_by_population() {
        let g = Geography::russia();
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let (mut rural, mut moscow) = (0, 0);
        for _ in 0..20_000 {
            let p = g.place(&mut rng);
            rural += usize::from(usize::from(p.id) >= RUSSIAN_CITIES.len());
            moscow += usize::from(p.id == 0);
            let (lat, lon) = g.point(p.id, &mut rng);
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        }
        assert!((1_700..2_300).contains(&rural), "rural {rural}");
        assert!(moscow > 5_000, "moscow {moscow}");
    }
}
