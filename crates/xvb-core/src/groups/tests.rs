use super::*;

fn name(n: &str) -> GroupName {
    GroupName::parse(n).unwrap()
}

fn group(n: &str, lines: &[&str], members: &[&str]) -> Group {
    Group {
        name: name(n),
        lines: lines.iter().map(|l| Line::parse(l).unwrap()).collect(),
        members: members.iter().map(|m| m.to_string()).collect(),
        acw_seconds: 0,
        sl_seconds: 20,
    }
}

/// Sales answers 74950000001, support 74950000002; 200 supervises.
fn routing() -> Routing {
    let mut groups = BTreeMap::new();
    for g in [
        group("sales", &["+7 495 000-00-01"], &["100", "101"]),
        group("support", &["74950000002"], &["102", "101"]),
    ] {
        groups.insert(g.name.clone(), g);
    }
    Routing {
        groups,
        default: DefaultGroup::Everyone,
        supervisors: ["200".to_owned()].into(),
    }
}

fn incoming(line: &str) -> CallRoute {
    CallRoute {
        line: Some(line.into()),
        ..CallRoute::default()
    }
}

#[test]
fn a_call_on_a_line_reaches_that_group_the_supervisor_and_no_one_else() {
    let routing = routing();
    let sales = routing.audience(&incoming("74950000001"));
    for (ext, sees) in [
        ("100", true),
        ("101", true),
        ("102", false),
        ("200", true),
        ("300", false),
    ] {
        assert_eq!(sales.reaches(&routing.viewer(ext)), sees, "{ext}");
    }
    let support = routing.audience(&incoming("8 (495) 000-00-02"));
    assert!(support.reaches(&routing.viewer("101")), "101 is in both");
    assert!(!support.reaches(&routing.viewer("100")));
}

#[test]
fn an_unclaimed_line_goes_to_the_default_group() {
    let mut routing = routing();
    let other = incoming("74950000009");
    assert_eq!(routing.audience(&other), Audience::Everyone);
    routing.default = DefaultGroup::Named(name("support"));
    let audience = routing.audience(&other);
    assert!(audience.reaches(&routing.viewer("102")));
    assert!(!audience.reaches(&routing.viewer("100")));
}

#[test]
fn the_responsible_the_dialler_and_the_answerer_see_their_calls() {
    let routing = routing();
    let mut call = incoming("74950000001");
    call.responsible = Some("102".into());
    assert!(routing.audience(&call).reaches(&routing.viewer("102")));
    let out = CallRoute {
        dialled_by: Some("102".into()),
        ..CallRoute::default()
    };
    let audience = routing.audience(&out);
    assert!(audience.reaches(&routing.viewer("102")), "the dialler");
    assert!(
        audience.reaches(&routing.viewer("101")),
        "support, 102's group"
    );
    assert!(!audience.reaches(&routing.viewer("100")));
}

#[test]
fn without_groups_everyone_sees_everything() {
    let routing = Routing::default();
    assert_eq!(
        routing.audience(&incoming("74950000001")),
        Audience::Everyone
    );
    assert!(Audience::Everyone.reaches(&routing.viewer("100")));
}

#[test]
fn names_lines_and_roles_are_checked() {
    assert_eq!(name(" продажи ").as_str(), "продажи");
    for bad in ["", "all", "ALL", "a b", "x;drop", &"x".repeat(33)] {
        assert!(GroupName::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        Line::parse("+7 (495) 000-00-01").unwrap().as_str(),
        "74950000001"
    );
    for bad in ["12", "sales", "7495abc", &"1".repeat(21)] {
        assert!(Line::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(Role::parse("Supervisor").unwrap(), Role::Supervisor);
    assert!(Role::parse("admin").is_err());
}

/// A call on `line` from `phone`: ringing, or missed when `missed`.
fn call_on(callid: &str, line: &str, phone: &str, missed: bool) -> crate::pbx::call::Call {
    let ring = format!("type=in&event=INCOMING&ext=&phone={phone}&line_number={line}");
    let end = format!("event=COMPLETED&status=Missed&duration=0&phone={phone}");
    let bodies: Vec<&str> = if missed {
        vec![&ring, &end]
    } else {
        vec![&ring]
    };
    crate::team::test_calls::call(callid, None, crate::team::test_calls::t0(), &bodies)
}

#[test]
fn a_ringing_call_rings_its_groups_members_only() {
    let routing = routing();
    let sales_call = call_on("S", "74950000001", "79160000001", false);
    assert!(routing.rings_at(&sales_call, "100"));
    assert!(!routing.rings_at(&sales_call, "102"));
    assert!(
        !routing.rings_at(&sales_call, "200"),
        "the supervisor's phone is not in the queue"
    );
    let other = call_on("O", "74950000009", "79160000003", false);
    assert!(
        routing.rings_at(&other, "102"),
        "an unclaimed line rings everyone"
    );
}

/// The view of misses on sales', support's and an unclaimed line, with
/// 100, 101, 102 and 200 connected.
fn three_missed() -> crate::team::TeamView {
    let calls = [
        call_on("S", "74950000001", "79160000001", true),
        call_on("P", "74950000002", "79160000002", true),
        call_on("O", "74950000009", "79160000003", true),
    ];
    let roster: Vec<(String, bool)> = ["100", "101", "102", "200"]
        .iter()
        .map(|ext| (ext.to_string(), true))
        .collect();
    let now = crate::team::test_calls::t0() + time::Duration::minutes(1);
    crate::team::TeamView::derive(&calls, &roster, &[], &|_| None, &|_, _| true, now)
}

#[test]
fn each_group_gets_its_members_and_missed_callers() {
    let routing = routing();
    let view = three_missed();
    let support = routing.view_key(&routing.viewer("102"));
    let part = routing.team_view_for(&view, &support);
    let exts: Vec<&str> = part.members.iter().map(|m| m.ext.as_str()).collect();
    assert_eq!(exts, ["101", "102"], "support's members (101 is in both)");
    let phones: Vec<&str> = part.missed.iter().map(|m| m.phone.as_str()).collect();
    assert_eq!(
        phones,
        ["79160000002", "79160000003"],
        "support's line and the unclaimed one"
    );
    assert_eq!(part.waiting, 2);
    let supervisor = routing.view_key(&routing.viewer("200"));
    assert_eq!(supervisor, ViewKey::Everything);
    assert_eq!(routing.team_view_for(&view, &supervisor), view);
}

#[test]
fn a_labelled_view_narrows_to_one_group() {
    let mut routing = routing();
    routing.default = DefaultGroup::Named(name("support"));
    let mut view = three_missed();
    routing.label(&mut view);
    assert_eq!(view.group_names(), "sales, support");
    assert!(view.groups[1].default && !view.groups[0].default);
    assert_eq!(view.groups[0].lines, ["74950000001"]);

    let sales = view.of_group("Sales").expect("a group of the view");
    let exts: Vec<&str> = sales.members.iter().map(|m| m.ext.as_str()).collect();
    assert_eq!(exts, ["100", "101"], "the supervisor is in no group");
    let phones: Vec<&str> = sales.missed.iter().map(|m| m.phone.as_str()).collect();
    assert_eq!(phones, ["79160000001"]);
    let support = view.of_group("support").unwrap();
    let phones: Vec<&str> = support.missed.iter().map(|m| m.phone.as_str()).collect();
    assert_eq!(
        phones,
        ["79160000002", "79160000003"],
        "its line and the unclaimed one (it is the default)"
    );
    assert_eq!(support.waiting, 2);
    assert!(view.of_group("vip").is_none());

    // An agent's part offers its own groups only.
    let part = routing.team_view_for(&view, &routing.view_key(&routing.viewer("100")));
    assert_eq!(part.group_names(), "sales");
}
