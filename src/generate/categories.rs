//! Free-text categories per sector, in Russian as people write them, and the
//! short complaint texts built from them.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// When in the year a category is common; outside it the category stays rare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Season {
    /// All year round.
    All,
    /// Heating season, October to April.
    Heating,
    /// Snow and ice, November to March.
    Winter,
    /// Spring thaw, March to May.
    Thaw,
    /// Warm months, May to September.
    Summer,
    /// Enrolment and the start of school, June to September.
    School,
}

impl Season {
    /// Weight multiplier in month `month0` (0 = January).
    pub(crate) fn weight(self, month0: usize) -> f64 {
        let m = month0 + 1;
        let inside = match self {
            Season::All => true,
            Season::Heating => !(5..=9).contains(&m),
            Season::Winter => !(4..=10).contains(&m),
            Season::Thaw => (3..=5).contains(&m),
            Season::Summer => (5..=9).contains(&m),
            Season::School => (6..=9).contains(&m),
        };
        if inside { 1.0 } else { 0.08 }
    }
}

/// A category with its relative frequency in its sector and the core sentence
/// of a complaint about it.
#[derive(Debug)]
pub(crate) struct Category {
    /// The category as sent on the wire.
    pub name: &'static str,
    /// Relative frequency within the sector.
    pub weight: f64,
    /// When it is common.
    pub season: Season,
    /// The core sentence of a complaint text.
    pub core: &'static str,
}

const fn c(name: &'static str, weight: f64, season: Season, core: &'static str) -> Category {
    Category {
        name,
        weight,
        season,
        core,
    }
}

use Season::{All, Heating, School, Summer, Thaw, Winter};

/// Housing and utilities (ЖКХ).
#[rustfmt::skip]
pub(crate) const HOUSING: &[Category] = &[
    c("нет отопления", 3.0, Heating, "В квартире нет отопления, батареи холодные."),
    c("слабое отопление", 2.0, Heating, "Батареи еле тёплые, в квартире +16."),
    c("нет горячей воды", 2.0, All, "Нет горячей воды."),
    c("протечка крыши", 1.5, Thaw, "С крыши течёт в квартиру на последнем этаже."),
    c("не работает лифт", 2.0, All, "В подъезде не работает лифт."),
    c("плохая уборка подъезда", 1.5, All, "Подъезд не убирают, грязно."),
    c("сосульки на крыше", 1.5, Winter, "На крыше висят сосульки над входом в подъезд."),
];

/// Roads.
#[rustfmt::skip]
pub(crate) const ROADS: &[Category] = &[
    c("яма на дороге", 4.0, Thaw, "На проезжей части большая яма, повреждают колёса."),
    c("не убран снег на дороге", 2.5, Winter, "Дорогу не чистят от снега, машины буксуют."),
    c("гололёд на дороге", 1.5, Winter, "На дороге гололёд, не посыпано."),
    c("неисправный светофор", 1.0, All, "Светофор не работает или мигает жёлтым."),
    c("нет дорожной разметки", 0.8, Summer, "Стёрлась разметка на пешеходном переходе."),
    c("разрушен тротуар", 1.0, All, "Тротуар разбит, ходить невозможно."),
];

/// Public transport.
#[rustfmt::skip]
pub(crate) const TRANSPORT: &[Category] = &[
    c("автобус не соблюдает расписание", 3.0, All, "Автобус ходит не по расписанию, ждём по 40 минут."),
    c("переполненный транспорт", 2.0, All, "Утром в автобус невозможно сесть, переполнен."),
    c("грубость водителя", 1.0, All, "Водитель нагрубил пассажирам."),
    c("неисправная остановка", 1.0, All, "На остановке разбит павильон."),
    c("не работает терминал оплаты", 1.0, All, "В транспорте не работает терминал оплаты картой."),
];

/// Improvement: yards, parks, snow in yards.
#[rustfmt::skip]
pub(crate) const IMPROVEMENT: &[Category] = &[
    c("не убран снег во дворе", 3.0, Winter, "Во дворе не убран снег, не пройти к подъезду."),
    c("сломана детская площадка", 2.0, Summer, "На детской площадке сломаны качели."),
    c("не покошена трава", 1.5, Summer, "Во дворе не косят траву."),
    c("аварийное дерево", 1.0, All, "Сухое дерево может упасть на машины."),
    c("ямы во дворе", 2.0, Thaw, "Во дворе ямы и лужи, асфальт разбит."),
    c("грязь и мусор во дворе", 1.5, All, "Во дворе грязно, мусор не убирают."),
];

/// Social protection.
#[rustfmt::skip]
pub(crate) const SOCIAL: &[Category] = &[
    c("задержка выплаты пособия", 3.0, All, "Не пришло пособие за прошлый месяц."),
    c("отказ в социальной помощи", 1.5, All, "Отказали в социальной помощи без объяснения."),
    c("нужна помощь пенсионеру", 1.5, All, "Пожилому соседу нужна помощь социального работника."),
    c("вопрос по льготам", 2.0, All, "Не могу оформить положенную льготу."),
];

/// Health care.
#[rustfmt::skip]
pub(crate) const HEALTH: &[Category] = &[
    c("нет записи к врачу", 3.0, All, "Невозможно записаться к терапевту, нет талонов."),
    c("долгое ожидание скорой", 1.5, All, "Скорая помощь ехала больше часа."),
    c("нет льготных лекарств", 1.5, All, "В аптеке нет льготных лекарств по рецепту."),
    c("грубость медперсонала", 1.0, All, "В поликлинике грубо разговаривают с пациентами."),
];

/// Education.
#[rustfmt::skip]
pub(crate) const EDUCATION: &[Category] = &[
    c("нет мест в детском саду", 2.0, All, "Ребёнку не дают место в детском саду."),
    c("запись в первый класс", 2.0, School, "Не можем записать ребёнка в школу по прописке."),
    c("холодно в школе", 1.0, Heating, "В классах холодно, дети сидят в куртках."),
    c("питание в школе", 1.0, All, "Жалобы на качество питания в школьной столовой."),
];

/// Labour and employment.
#[rustfmt::skip]
pub(crate) const LABOUR: &[Category] = &[
    c("задержка заработной платы", 3.0, All, "Работодатель задерживает зарплату второй месяц."),
    c("неофициальное трудоустройство", 1.0, All, "Работаем без трудового договора."),
    c("пособие по безработице", 1.5, All, "Не назначают пособие по безработице."),
];

/// Ecology and waste.
#[rustfmt::skip]
pub(crate) const ECOLOGY: &[Category] = &[
    c("не вывезен мусор", 4.0, All, "Мусор не вывозят, контейнеры переполнены."),
    c("переполнены контейнеры", 2.0, Summer, "Контейнерная площадка завалена мусором."),
    c("стихийная свалка", 1.5, Summer, "Возле гаражей образовалась свалка."),
    c("неприятный запах", 1.0, All, "Сильный неприятный запах с предприятия."),
    c("сжигание мусора", 0.8, Thaw, "Жгут мусор и траву, дым идёт в окна."),
];

/// Construction.
#[rustfmt::skip]
pub(crate) const CONSTRUCTION: &[Category] = &[
    c("шум от стройки ночью", 2.0, All, "На стройке работают ночью, шумно."),
    c("грязь от строительной техники", 1.5, Summer, "Строительная техника разносит грязь по улице."),
    c("незаконная постройка", 1.0, All, "Во дворе строят гараж без разрешения."),
    c("долгострой", 1.0, All, "Стройка заброшена, забор падает."),
];

/// Energy and industry.
#[rustfmt::skip]
pub(crate) const ENERGY: &[Category] = &[
    c("не горит фонарь", 3.0, Heating, "На улице не горят фонари, темно."),
    c("отключение электричества", 2.0, All, "Отключили электричество без предупреждения."),
    c("перебои с газом", 1.0, All, "Слабое давление газа в плите."),
    c("скачки напряжения", 1.0, All, "Скачет напряжение, сгорела техника."),
];

const OPENERS: [&str; 5] = [
    "",
    "Здравствуйте! ",
    "Добрый день. ",
    "Уважаемые сотрудники! ",
    "",
];
const CLOSERS: [&str; 6] = [
    " Прошу принять меры.",
    " Просьба разобраться.",
    " Сколько можно ждать?",
    " Обращаюсь не первый раз.",
    "",
    " Спасибо.",
];

/// Writes a short complaint about `cat` into `out` (cleared first), reusing
/// its allocation: an opener, the core sentence, how long it has lasted, a closer.
pub(crate) fn write_text(cat: &Category, rng: &mut ChaCha8Rng, out: &mut String) {
    out.clear();
    out.push_str(OPENERS[rng.random_range(0..OPENERS.len())]);
    out.push_str(cat.core);
    let r = rng.random::<u32>();
    match r % 4 {
        0 => {
            // Writing to a String cannot fail.
            let _ = write!(out, " Уже {} дн.", 2 + r / 4 % 20);
        }
        1 => out.push_str(" Проблема повторяется."),
        _ => {}
    }
    out.push_str(CLOSERS[(r / 128) as usize % CLOSERS.len()]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn seasons_are_common_inside_and_rare_outside() {
        assert_eq!(Heating.weight(0), 1.0);
        assert!(Heating.weight(6) < 0.1);
        assert_eq!(Thaw.weight(3), 1.0);
        assert!(Thaw.weight(9) < 0.1);
    }

    #[test]
    fn texts_are_short_and_contain_the_core() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut s = String::new();
        for _ in 0..100 {
            write_text(&ROADS[0], &mut rng, &mut s);
            assert!(s.contains(ROADS[0].core));
            assert!(s.chars().count() < 200);
        }
    }
}
