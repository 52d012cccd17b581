//! Where people live: Kazan's districts for the city scenario, Russia's large
//! cities and rural regions for the country scenario. Approximate on purpose:
//! centres and spreads are good to a few hundred metres, populations to ~10 %.

/// One residential cluster: centre, spread (sigma, metres) and relative weight.
pub(crate) type Cluster = (f64, f64, f64, f64);

/// A city district of Kazan.
#[derive(Debug)]
pub(crate) struct District {
    /// Russian name.
    pub name: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Population, thousands (2021 census, rounded).
    pub population_k: f64,
    /// Residential clusters the district's appeals come from.
    pub clusters: &'static [Cluster],
    /// Streets used for addresses.
    pub streets: &'static [&'static str],
}

/// The city of the demo scenario.
pub(crate) const KAZAN_NAME: &str = "Казань";
/// Its English name.
pub(crate) const KAZAN_NAME_EN: &str = "Kazan";
/// Rough extent `[min_lon, min_lat, max_lon, max_lat]`; background points outside are redrawn.
pub(crate) const KAZAN_BBOX: [f64; 4] = [48.80, 55.69, 49.35, 55.91];

/// Whether a point lies on the Kuibyshev Reservoir (the Volga) south-west of
/// the centre, where nobody files appeals.
pub(crate) fn in_kazan_water(lat: f64, lon: f64) -> bool {
    lat < 55.776 && lon < 49.095
}

/// Kazan's seven city districts.
#[rustfmt::skip]
pub(crate) const KAZAN: [District; 7] = [
    District {
        name: "Авиастроительный",
        name_en: "Aviastroitelny",
        population_k: 124.0,
        clusters: &[(55.857, 49.088, 1400.0, 0.8), (55.872, 49.128, 900.0, 0.2)],
        streets: &["ул. Копылова", "ул. Ленинградская", "ул. Дементьева", "ул. Белинского", "ул. Симонова", "ул. Лукина"],
    },
    District {
        name: "Вахитовский",
        name_en: "Vakhitovsky",
        population_k: 88.0,
        clusters: &[(55.790, 49.125, 1200.0, 0.7), (55.772, 49.140, 800.0, 0.3)],
        streets: &["ул. Баумана", "ул. Пушкина", "ул. Карла Маркса", "ул. Островского", "ул. Бутлерова", "ул. Тукая"],
    },
    District {
        name: "Кировский",
        name_en: "Kirovsky",
        population_k: 109.0,
        clusters: &[(55.812, 49.035, 1300.0, 0.7), (55.800, 48.865, 1100.0, 0.3)],
        streets: &["ул. Ватутина", "Горьковское шоссе", "ул. Залесная", "ул. Гладилова", "ул. Окольная", "ул. Тэцевская"],
    },
    District {
        name: "Московский",
        name_en: "Moskovsky",
        population_k: 129.0,
        clusters: &[(55.826, 49.080, 1200.0, 1.0)],
        streets: &["ул. Декабристов", "ул. Восстания", "пр. Ибрагимова", "ул. Гагарина", "ул. Короленко", "ул. Шамиля Усманова"],
    },
    District {
        name: "Ново-Савиновский",
        name_en: "Novo-Savinovsky",
        population_k: 228.0,
        clusters: &[(55.827, 49.135, 1300.0, 1.0)],
        streets: &["пр. Ямашева", "ул. Чистопольская", "ул. Адоратского", "ул. Гаврилова", "ул. Амирхана", "ул. Чуйкова"],
    },
    District {
        name: "Приволжский",
        name_en: "Privolzhsky",
        population_k: 235.0,
        clusters: &[(55.752, 49.185, 1500.0, 0.7), (55.722, 49.150, 1100.0, 0.3)],
        streets: &["ул. Юлиуса Фучика", "пр. Победы", "ул. Рихарда Зорге", "ул. Закиева", "ул. Кул Гали", "ул. Хусаина Мавлютова"],
    },
    District {
        name: "Советский",
        name_en: "Sovetsky",
        population_k: 340.0,
        clusters: &[
            (55.782, 49.212, 1600.0, 0.45),
            (55.757, 49.236, 1300.0, 0.35),
            (55.860, 49.232, 1100.0, 0.2),
        ],
        streets: &["ул. Сибирский тракт", "ул. Патриса Лумумбы", "ул. Гвардейская", "ул. Аделя Кутуя", "ул. Академика Сахарова", "ул. Космонавтов"],
    },
];

/// A Russian city of the country scenario.
#[derive(Debug)]
pub(crate) struct RussianCity {
    /// Russian name.
    pub name: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Population, thousands.
    pub population_k: f64,
    /// Local UTC offset, hours (people write by their own clock).
    pub utc_offset_h: i32,
}

const fn city(
    name: &'static str,
    name_en: &'static str,
    lat: f64,
    lon: f64,
    population_k: f64,
    utc_offset_h: i32,
) -> RussianCity {
    RussianCity {
        name,
        name_en,
        lat,
        lon,
        population_k,
        utc_offset_h,
    }
}

/// Large and far-flung cities; appeals are weighted by population.
pub(crate) const RUSSIAN_CITIES: [RussianCity; 27] = [
    city("Москва", "Moscow", 55.7558, 37.6173, 13_100.0, 3),
    city(
        "Санкт-Петербург",
        "Saint Petersburg",
        59.9343,
        30.3351,
        5_600.0,
        3,
    ),
    city("Новосибирск", "Novosibirsk", 55.0084, 82.9357, 1_630.0, 7),
    city(
        "Екатеринбург",
        "Yekaterinburg",
        56.8389,
        60.6057,
        1_540.0,
        5,
    ),
    city("Казань", "Kazan", 55.7961, 49.1064, 1_310.0, 3),
    city(
        "Нижний Новгород",
        "Nizhny Novgorod",
        56.2965,
        43.9361,
        1_210.0,
        3,
    ),
    city("Красноярск", "Krasnoyarsk", 56.0153, 92.8932, 1_200.0, 7),
    city("Челябинск", "Chelyabinsk", 55.1644, 61.4368, 1_180.0, 5),
    city("Самара", "Samara", 53.1959, 50.1002, 1_160.0, 4),
    city("Уфа", "Ufa", 54.7388, 55.9721, 1_160.0, 5),
    city(
        "Ростов-на-Дону",
        "Rostov-on-Don",
        47.2357,
        39.7015,
        1_140.0,
        3,
    ),
    city("Омск", "Omsk", 54.9885, 73.3242, 1_110.0, 6),
    city("Краснодар", "Krasnodar", 45.0355, 38.9753, 1_100.0, 3),
    city("Воронеж", "Voronezh", 51.6720, 39.1843, 1_050.0, 3),
    city("Пермь", "Perm", 58.0105, 56.2502, 1_030.0, 5),
    city("Волгоград", "Volgograd", 48.7080, 44.5133, 1_020.0, 3),
    city("Иркутск", "Irkutsk", 52.2870, 104.3050, 620.0, 8),
    city("Хабаровск", "Khabarovsk", 48.4802, 135.0719, 610.0, 10),
    city("Владивосток", "Vladivostok", 43.1155, 131.8855, 600.0, 10),
    city("Калининград", "Kaliningrad", 54.7104, 20.4522, 490.0, 2),
    city("Якутск", "Yakutsk", 62.0355, 129.6755, 360.0, 9),
    city("Архангельск", "Arkhangelsk", 64.5393, 40.5170, 300.0, 3),
    city("Мурманск", "Murmansk", 68.9585, 33.0827, 270.0, 3),
    city("Норильск", "Norilsk", 69.3558, 88.1893, 180.0, 7),
    city(
        "Петропавловск-Камчатский",
        "Petropavlovsk-Kamchatsky",
        53.0452,
        158.6506,
        165.0,
        12,
    ),
    city("Магадан", "Magadan", 59.5682, 150.8085, 90.0, 11),
    city("Анадырь", "Anadyr", 64.7337, 177.5089, 15.0, 12),
];

/// A rough rural region: latitude and longitude ranges (`lon.1` above 180
/// crosses the antimeridian), relative weight, UTC offset.
pub(crate) type RuralBox = ((f64, f64), (f64, f64), f64, i32);

/// Russia's settled extent as a dozen boxes, weighted by rough rural population;
/// Chukotka straddles ±180° on purpose.
pub(crate) const RURAL: [RuralBox; 11] = [
    ((50.0, 60.0), (30.0, 50.0), 30.0, 3),
    ((43.5, 50.0), (38.0, 47.0), 15.0, 3),
    ((60.0, 69.0), (30.0, 60.0), 6.0, 3),
    ((51.0, 61.0), (50.0, 65.0), 18.0, 5),
    ((53.0, 67.0), (65.0, 88.0), 8.0, 6),
    ((50.0, 58.0), (84.0, 110.0), 8.0, 7),
    ((56.0, 72.0), (100.0, 140.0), 3.0, 9),
    ((43.0, 55.0), (127.0, 141.0), 5.0, 10),
    ((51.0, 65.0), (150.0, 165.0), 1.5, 11),
    ((62.0, 69.0), (169.0, 191.0), 1.2, 12),
    ((54.4, 55.2), (20.0, 22.8), 1.0, 2),
];

/// Russia's extent for Truth, `[min_lon, min_lat, max_lon, max_lat]`; west >
/// east because it crosses the antimeridian (RFC 7946 §5.2).
pub(crate) const RUSSIA_BBOX: [f64; 4] = [19.6, 41.2, -169.0, 81.9];

/// Streets found in almost every Russian town.
pub(crate) const COMMON_STREETS: [&str; 12] = [
    "ул. Ленина",
    "ул. Советская",
    "ул. Мира",
    "пр. Победы",
    "ул. Гагарина",
    "ул. Кирова",
    "ул. Пушкина",
    "ул. Молодёжная",
    "ул. Садовая",
    "ул. Центральная",
    "ул. Набережная",
    "ул. Строителей",
];

/// Village names for rural addresses.
pub(crate) const VILLAGES: [&str; 10] = [
    "с. Никольское",
    "пос. Октябрьский",
    "д. Берёзовка",
    "с. Покровское",
    "пос. Первомайский",
    "с. Ивановка",
    "д. Заречье",
    "с. Троицкое",
    "пос. Лесной",
    "с. Михайловка",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazan_clusters_lie_in_the_city_and_on_land() {
        let total: f64 = KAZAN.iter().map(|d| d.population_k).sum();
        assert!((1_150.0..1_400.0).contains(&total));
        for d in &KAZAN {
            for &(lat, lon, _, _) in d.clusters {
                assert!((KAZAN_BBOX[1]..KAZAN_BBOX[3]).contains(&lat), "{}", d.name);
                assert!((KAZAN_BBOX[0]..KAZAN_BBOX[2]).contains(&lon), "{}", d.name);
                assert!(!in_kazan_water(lat, lon), "{}", d.name);
            }
        }
    }

    #[test]
    fn cities_are_valid_and_one_is_near_the_antimeridian() {
        assert!(RUSSIAN_CITIES.iter().all(|c| c.lon.abs() <= 180.0));
        assert!(RUSSIAN_CITIES.iter().any(|c| c.lon > 177.0));
        assert!(RURAL.iter().any(|b| b.1.1 > 180.0 && b.1.0 < 180.0));
    }
}
