//! Report chrome in English and Simplified Chinese: section titles, table
//! headers, legends, sentences, number and period formats. Labels of nodes
//! and groups come from the config, never from here.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        if code.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

/// (key, English, Chinese).
const STRINGS: &[(&str, &str, &str)] = &[
    ("report", "Customer satisfaction report", "顾客满意度报告"),
    ("cover", "Cover", "封面"),
    ("summary", "Executive summary", "摘要"),
    ("trend", "Trend", "趋势"),
    ("hierarchy", "Scores by indicator", "各指标得分"),
    ("segments", "Segments", "细分群体"),
    ("brands", "Brands", "品牌对比"),
    ("gaps", "Expectation gaps", "期望差距"),
    ("method", "Data and method", "数据与方法"),
    ("contents", "Contents", "目录"),
    ("client", "Client", "客户"),
    ("period", "Period", "期间"),
    ("generated", "Generated", "生成日期"),
    ("index", "Index", "指数"),
    ("score", "Score", "得分"),
    ("score_axis", "Score (0-100)", "得分 (0-100)"),
    ("points_axis", "Points", "分差"),
    ("change", "Change", "变化"),
    ("vs_previous", "vs previous period", "较上期"),
    ("vs_year", "vs a year earlier", "较去年同期"),
    ("ci", "95 % CI", "95% 置信区间"),
    ("n", "n", "样本量"),
    ("node", "Indicator", "指标"),
    ("group", "Group", "群体"),
    ("dimension", "Dimension", "维度"),
    ("vs_rest", "vs rest", "与其余比较"),
    ("own_brand", "Own brand", "本品牌"),
    ("competitor", "Competitor", "竞争对手"),
    ("difference", "Difference", "差异"),
    ("benchmark", "Benchmark", "基准"),
    ("benchmarks", "External benchmarks", "外部基准"),
    ("attention", "Where to act first", "优先改进领域"),
    ("potential", "Improvement potential", "改进潜力"),
    ("weight", "Weight", "权重"),
    ("performance", "Performance", "表现"),
    ("expectation", "Expectation", "期望"),
    ("gap", "Gap", "差距"),
    ("low_base", "low base", "样本量偏低"),
    (
        "suppressed",
        "suppressed (base too small)",
        "样本过小，不予显示",
    ),
    ("blank", "blank:", "空白："),
    ("not_significant", "not significant", "不显著"),
    ("sig_up", "significantly higher", "显著较高"),
    ("sig_down", "significantly lower", "显著较低"),
    (
        "bases",
        "Bases (respondents) per period and group",
        "各期间及群体样本量",
    ),
    ("rows", "Rows", "数据行"),
    ("rows_read", "rows read", "读取行数"),
    ("rows_used", "used", "使用"),
    ("rows_rejected", "rejected", "剔除"),
    ("rows_outside", "outside the period range", "超出期间范围"),
    ("reason", "Reason", "原因"),
    ("weighting", "Weighting", "加权"),
    (
        "weighted_yes",
        "Estimates are weighted with the survey weight column.",
        "估计值按调查权重加权。",
    ),
    (
        "weighted_no",
        "Estimates are unweighted (every respondent counts once).",
        "估计值未加权（每位受访者权重相同）。",
    ),
    ("formulas", "How the figures are computed", "计算方法"),
    ("engine", "Engine", "计算引擎"),
    ("config_digest", "Config digest", "配置摘要"),
    ("total", "Total", "总体"),
    ("trend_index", "Index over time", "指数走势"),
    ("trend_categories", "Categories over time", "各维度走势"),
    ("segment_chart", "Index by group", "各群体指数"),
    (
        "brand_chart",
        "Difference from the own brand, by category",
        "与本品牌的差异（按维度）",
    ),
    (
        "gap_chart",
        "Performance minus expectation, by category",
        "表现减期望（按维度）",
    ),
    ("no_data", "No figures for this period.", "本期间无数据。"),
    ("nps", "Net Promoter Score and top-box shares", "净推荐值与满意比例"),
    ("drivers", "Key drivers", "关键驱动因素"),
    ("ipa", "Importance-performance matrix", "重要性-表现矩阵"),
    ("kano", "Kano classes (penalty-reward analysis)", "卡诺分类（惩罚-奖励分析）"),
    ("pls", "PLS path model", "PLS 路径模型"),
    ("nps_trend", "Over time", "走势"),
    ("nps_axis", "NPS (−100 to 100)", "净推荐值 (−100 至 100)"),
    ("value", "Value", "数值"),
    ("promoters", "Promoters %", "推荐者 %"),
    ("detractors", "Detractors %", "贬损者 %"),
    ("drivers_chart", "Importance (relative weights, % of R²)", "重要性（相对权重，占 R² 的 %）"),
    ("share_axis", "Importance (% of R²)", "重要性（占 R² 的 %）"),
    ("r_axis", "Correlation with the outcome", "与结果变量的相关系数"),
    ("beta_axis", "Standardised beta", "标准化回归系数"),
    ("importance", "Importance %", "重要性 %"),
    ("correlation", "r", "r"),
    ("beta", "β", "β"),
    ("weight_used", "Weight in the index %", "指数中的权重 %"),
    ("top_driver", "Strongest driver", "最强驱动因素"),
    ("r2", "R² %", "R² %"),
    ("outcome", "Outcome", "结果变量"),
    ("ipa_chart", "Importance and performance", "重要性与表现"),
    ("quadrant", "Quadrant", "象限"),
    ("concentrate_here", "Concentrate here", "重点改进"),
    ("keep_up", "Keep up the good work", "继续保持"),
    ("low_priority", "Low priority", "次要改进"),
    ("possible_overkill", "Possible overkill", "可能过度投入"),
    ("concentrate_list", "Concentrate here, by category", "各维度的重点改进项"),
    ("low_share", "Low %", "低分 %"),
    ("high_share", "High %", "高分 %"),
    ("penalty", "Penalty", "惩罚"),
    ("reward", "Reward", "奖励"),
    ("class", "Class", "类别"),
    ("basic", "Basic (dissatisfier)", "基本型（不满因素）"),
    ("excitement", "Excitement (delighter)", "兴奋型（惊喜因素）"),
    ("performance_class", "Performance", "期望型"),
    ("by_group", "by group", "按群体"),
    ("pls_chart", "Latent indices (0-100) with 95 % bootstrap intervals", "潜变量指数（0-100）及 95% 自助法区间"),
    ("latent", "Latent variable", "潜变量"),
    ("path", "Path", "路径"),
    ("estimate", "Estimate", "估计值"),
    ("boot_se", "Bootstrap se", "自助法标准误"),
    ("gof", "Goodness of fit", "拟合优度"),
    ("scheme_path", "path weighting scheme", "路径加权方案"),
    ("scheme_centroid", "centroid scheme", "质心方案"),
    ("scheme_factorial", "factorial scheme", "因子方案"),
    ("efficiency", "Efficiency %", "加权效率 %"),
    ("n_eff", "Effective base", "有效样本量"),
    ("weight_range", "Weight range", "权重范围"),
    ("iterations", "Iterations", "迭代次数"),
    ("kano_few", "–: not classified, fewer respondents with a low or a high score than the reporting minimum of", "–：低分或高分人数少于最低报告样本量，不予分类；最低报告样本量为"),
    ("nps_note", "se = 100 √((P + D − (P − D)²) / n_eff), interval ± z × se;", "标准误 = 100 √((P + D − (P − D)²) / 有效样本量)，区间为 ± z × 标准误；"),
    ("drivers_note", "Importance: Johnson's relative weights, each driver's share of the R² of a regression of the outcome on all drivers (respondents who answered them all); r: correlation with the outcome; β: standardised regression coefficient.", "重要性：Johnson 相对权重，即各驱动因素在结果变量对全部驱动因素回归的 R² 中所占份额（仅含全部作答的受访者）；r：与结果变量的相关系数；β：标准化回归系数。"),
    ("derived_note", "The index weights are derived from the data, per period, as the method section states.", "指数权重按期由数据推导，详见方法部分。"),
    ("ipa_note", "Quadrant lines at the mean importance and the mean performance of the points", "象限分界线为各点重要性与表现的平均值"),
    ("kano_note", "Penalty-reward contrast analysis: regression of the outcome on a low-score and a high-score dummy per attribute; penalty = coefficient of low, reward = coefficient of high. Basic: |penalty| clearly exceeds the reward; excitement: the reward clearly exceeds |penalty|; performance otherwise. Scores", "惩罚-奖励对比分析：以结果变量对各属性的低分与高分虚拟变量回归；惩罚 = 低分系数，奖励 = 高分系数。基本型：|惩罚|明显大于奖励；兴奋型：奖励明显大于|惩罚|；其余为期望型。得分"),
    ("pls_note", "PLS path model (mode A, scores centred); latent indices = outer-weighted means of their questions' 0-100 scores; bold paths: the 95 % bootstrap percentile interval excludes 0; bootstrap resamples", "PLS 路径模型（A 模式，数据中心化）；潜变量指数 = 以外部权重加权的题目 0-100 分均值；粗体路径：95% 自助法百分位区间不含 0；自助法重抽样次数"),
    ("weighting_note", "Design weights raked (iterative proportional fitting) to the population margins of the config; weighting efficiency = effective base / respondents, effective base = (Σw)² / Σw².", "设计权重按配置中的总体边际分布进行迭代比例拟合（raking）；加权效率 = 有效样本量 / 受访者数，有效样本量 = (Σw)² / Σw²。"),
];

/// The formulas in words (METHODOLOGY 1-4).
pub fn formulas(
    lang: Lang,
    alpha: f64,
    min_base: u64,
    min_report: u64,
    coverage: f64,
) -> Vec<String> {
    let conf = fmt_num(lang, (1.0 - alpha) * 100.0, 0);
    let cov = fmt_num(lang, coverage * 100.0, 0);
    match lang {
        Lang::En => vec![
            "Every answer is rescaled to 0-100: (answer − lowest) / (highest − lowest) × 100; reversed questions score 100 minus that. Don't-know and refused codes and empty answers are missing, not zero.".into(),
            format!("Each respondent is scored first: a category is the weighted mean of its answered questions, and the index the weighted mean of its categories, with the weights of the study design normalised to sum to 1. A score is missing when less than {cov} % of its weight is answered."),
            "A cell's score is the weighted mean of its respondents' scores. Its standard error follows the Taylor linearisation of a weighted mean (as R's survey package); the confidence interval is mean ± t × standard error.".into(),
            format!("Differences (period over period, a group against the rest of its dimension, a competitor against the own brand) are tested with Welch's t-test; they are marked significant when p < {} ({conf} % confidence).", fmt_num(lang, alpha, 2)),
            format!("Cells with fewer than {min_base} respondents are marked as low base and never significant; cells with fewer than {min_report} are not shown."),
        ],
        Lang::Zh => vec![
            "每个答案换算为0-100分：(答案 − 最低分) / (最高分 − 最低分) × 100；反向题取100减该值。“不知道”“拒答”及空白视为缺失，而非零分。".into(),
            format!("先为每位受访者计分：维度得分为其已回答题目的加权平均，指数为各维度的加权平均，权重按研究设计并归一化。已回答部分的权重不足{cov}%时，该得分视为缺失。"),
            "单元格得分为其受访者得分的加权平均；标准误按加权均值的泰勒线性化方法计算（与R语言survey包一致）；置信区间为均值 ± t × 标准误。".into(),
            format!("差异（期间对比、群体与其余群体对比、竞争对手与本品牌对比）采用韦尔奇t检验；p < {}（{conf}%置信水平）时标记为显著。", fmt_num(lang, alpha, 2)),
            format!("样本量少于{min_base}的单元格标记为样本量偏低，且不标记显著；少于{min_report}的单元格不予显示。"),
        ],
    }
}

/// All chrome strings of a language, for the templates (`t.key`).
pub fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(k, en, zh)| (*k, if lang == Lang::En { *en } else { *zh }))
        .collect()
}

pub fn get(lang: Lang, key: &str) -> &'static str {
    STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, zh)| if lang == Lang::En { *en } else { *zh })
        .unwrap_or("")
}

/// A number with `decimals` decimals (both languages use `.`; no grouping
/// below 10,000).
pub fn fmt_num(_lang: Lang, x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A change with its sign: `+1.2`, `−0.8`, `0.0`.
pub fn fmt_delta(lang: Lang, x: f64) -> String {
    let s = fmt_num(lang, x, 1);
    if let Some(abs) = s.strip_prefix('-') {
        format!("−{abs}")
    } else if s.chars().all(|c| c == '0' || c == '.') {
        s
    } else {
        format!("+{s}")
    }
}

/// A period label for readers: `2026-Q3` -> `Q3 2026` / `2026年第3季度`.
pub fn period(lang: Lang, label: &str) -> String {
    let b = label.as_bytes();
    let year_ok = b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit);
    if year_ok && b.len() == 7 && &label[4..6] == "-Q" {
        let (y, q) = (&label[..4], &label[6..]);
        return match lang {
            Lang::En => format!("Q{q} {y}"),
            Lang::Zh => format!("{y}年第{q}季度"),
        };
    }
    if year_ok && b.len() == 7 && b[4] == b'-' {
        if let Ok(m) = label[5..].parse::<usize>() {
            if (1..=12).contains(&m) {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                return match lang {
                    Lang::En => format!("{} {}", MONTHS[m - 1], &label[..4]),
                    Lang::Zh => format!("{}年{}月", &label[..4], m),
                };
            }
        }
    }
    if year_ok && b.len() == 4 && lang == Lang::Zh {
        return format!("{label}年");
    }
    label.to_string()
}

/// A date (`YYYY-MM-DD...`) for readers.
pub fn date(lang: Lang, iso: &str) -> String {
    let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
    if let [y, m, d] = parts[..] {
        if let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<usize>()) {
            if (1..=12).contains(&m) {
                const MONTHS: [&str; 12] = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                return match lang {
                    Lang::En => format!("{d} {} {y}", MONTHS[m - 1]),
                    Lang::Zh => format!("{y}年{m}月{d}日"),
                };
            }
        }
    }
    iso.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(period(Lang::En, "2026-Q3"), "Q3 2026");
        assert_eq!(period(Lang::Zh, "2026-Q3"), "2026年第3季度");
        assert_eq!(period(Lang::En, "2026-07"), "Jul 2026");
        assert_eq!(period(Lang::Zh, "2026-07"), "2026年7月");
        assert_eq!(period(Lang::Zh, "2025秋季"), "2025秋季");
        assert_eq!(fmt_delta(Lang::En, 1.24), "+1.2");
        assert_eq!(fmt_delta(Lang::En, -0.04), "0.0");
        assert_eq!(fmt_delta(Lang::En, -2.0), "−2.0");
        assert_eq!(date(Lang::En, "2026-11-23T00:00:00Z"), "23 November 2026");
        assert_eq!(date(Lang::Zh, "2026-11-23"), "2026年11月23日");
    }

    #[test]
    fn every_key_in_both_languages() {
        for (k, en, zh) in STRINGS {
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
        }
    }
}
