//! The demo's saved briefing, as TOML: a SYNTHETIC text in the structure of the briefings our
//! users publish (torture and ill-treatment; expression and the punishment of families; public
//! executions and their legal basis; the food crisis; access; recommendations), citing the
//! demo's own events and indicator series. All of its words are written for the demo; none is
//! taken from a real briefing.

use crate::Dataset;

/// The events of acts of `act_type`, first `n` of them, as `[[id]]` references.
fn cite(ds: &Dataset, act_type: &str, n: usize) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for a in ds.acts.iter().filter(|a| a.act_type == act_type) {
        if !ids.contains(&a.event.as_str()) {
            ids.push(&a.event);
        }
        if ids.len() == n {
            break;
        }
    }
    ids.iter().map(|id| format!("[[{id}]]")).collect::<Vec<_>>().join(" ")
}

/// The template (name `demo-briefing`). Restricted level: the demo's records are internal and
/// its witnesses' sources restricted, and an act counts on its organisation's list only for a
/// reader who may see its source, so the estimate needs that level. A real publication would
/// be public, from records marked public.
pub fn demo_briefing(ds: &Dataset) -> String {
    let torture = cite(ds, "DP0600000000", 2);
    let family = cite(ds, "DP0300000000", 2);
    let execution = cite(ds, "DP0200000000", 2);
    let labour = cite(ds, "DP0500000000", 1);
    let law: String = ds.provisions.iter().map(|p| format!("[[{}]]", p.id)).collect::<Vec<_>>().join(" ");
    let indicators: Vec<&str> = ds.indicators.iter().map(|i| i.id.as_str()).collect();
    let cite_ind = |i: usize| indicators.get(i).map(|id| format!("[[{id}]]")).unwrap_or_default();
    format!(
        r#"# SYNTHETIC demo briefing: every record it cites is synthetic.
name = "demo-briefing"
title = "Human rights in a closed country: a SYNTHETIC briefing from the demo archive"
lang = "en"
level = "restricted"
min_cell = 5
estimates = ["DP0100000000"]

[[sections]]
heading = "Torture and ill-treatment"
text = '''
Testimonies in this archive describe beatings and torture during interrogation after forcible return {torture}, and forced labour in detention from early morning to late at night {labour}.

These accounts are SYNTHETIC; in a real archive each sentence here would rest on coded testimony like the records cited.
'''

[[sections]]
heading = "Freedom of expression and the punishment of families"
text = '''
Whole families are reported to be punished for what one member said or did, including detention of relatives in a political prison camp after a defection {family}.

- Speech, assembly and religion outside the party's control are treated as offences.
- Few people can receive information from outside the country.
'''

[[sections]]
heading = "Public executions and their legal basis"
text = '''
Witnesses describe public executions in market places before assembled crowds {execution}.

The Criminal Code carries the death penalty for vaguely defined offences against the state {law}. In 2001 the UN Human Rights Committee called four of them essentially political offences, couched in terms so broad that the death penalty may be imposed on subjective criteria; the provisions, and the executions recorded under each, are set out under *National law* below. (The article numbers and the Committee's words are public; the article texts in this demo are SYNTHETIC placeholders.)
'''

[[sections]]
heading = "The food crisis"
text = '''
Published figures show **infant mortality** {inf} and **chronic malnutrition among young children** {stunt}; the series below give each value with its source.
'''

[[sections]]
heading = "What cannot be seen"
text = '''
Much stays hidden. Large parts of the country are closed to outside agencies (the map of acts by province marks them; in this demo the closed province is a SYNTHETIC setting), and what is recorded depends on who could leave and speak to whom: the estimate below says how many victims of forcible return no list recorded, and why it is a lower bound.
'''

[[sections]]
heading = "Recommendations"
kind = "recommendations"
text = "Girok's demo organisation calls on:"

[[sections.recommendations]]
to = "The government"
what = "End torture and ill-treatment in interrogation and holding centres, and investigate the cases documented {torture}"
when = "immediately"

[[sections.recommendations]]
to = "The government"
what = "Abolish the punishment of family members for the acts of relatives, and release those held for it"
when = "within one year"

[[sections.recommendations]]
to = "Neighbouring states"
what = "Stop forcible returns of people who would face interrogation and forced labour"
when = "immediately"

[[sections.recommendations]]
to = "United Nations agencies"
what = "Seek access to the whole country to assess food needs"
when = "at the next session"
"#,
        inf = cite_ind(0),
        stunt = cite_ind(1),
    )
}
