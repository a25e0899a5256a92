use super::*;
use serde_json::json;

fn amocrm() -> CrmSettings {
    CrmSettings {
        url: "https://crm.example/api/v4/contacts?query={number}".into(),
        headers: vec![("Authorization".into(), "Bearer {token}".into())],
        name_pointer: "/_embedded/contacts/0/name".into(),
        responsible_pointer: Some(
            "/_embedded/contacts/0/custom_fields_values/0/values/0/value".into(),
        ),
        card_pointer: Some("/_embedded/contacts/0/_links/self/href".into()),
        timeout_ms: 300,
        found_minutes: 60,
        missing_minutes: 10,
    }
}

#[test]
fn a_reply_in_the_crms_shape_names_the_client_with_responsible_and_card() {
    let reply = json!({"_embedded": {"contacts": [{
        "id": 7, "name": " ООО «Ромашка» ",
        "custom_fields_values": [{"field_name": "Ext", "values": [{"value": 201}]}],
        "_links": {"self": {"href": "https://crm.example/api/v4/contacts/7"}}
    }]}});
    assert_eq!(
        client_of(&reply, &amocrm()).unwrap(),
        Some(Client {
            name: "ООО «Ромашка»".into(),
            responsible: Some("201".into()),
            card: Some("https://crm.example/api/v4/contacts/7".into()),
        })
    );
    assert!(amocrm().needs_token());
}

#[test]
fn an_empty_list_of_matches_is_not_found_and_a_missing_field_is_an_error() {
    let settings = CrmSettings {
        name_pointer: "/result/0/NAME".into(),
        responsible_pointer: None,
        card_pointer: None,
        ..amocrm()
    };
    // Bitrix24's crm.contact.list for an unknown number.
    let none = json!({"result": [], "total": 0});
    assert_eq!(client_of(&none, &settings).unwrap(), None);
    assert_eq!(
        client_of(&json!({"result": null}), &settings).unwrap(),
        None
    );
    // An error in the CRM's own shape: the settings do not fit it.
    let refused = json!({"error": "expired_token", "error_description": "The access token provided has expired."});
    assert_eq!(
        client_of(&refused, &settings).unwrap_err(),
        SourceError::LacksName {
            pointer: "/result/0/NAME".into()
        }
    );
    let blank = json!({"result": [{"NAME": "  "}]});
    assert!(
        client_of(&blank, &settings).is_err(),
        "an empty name is none"
    );
}

#[test]
fn what_is_not_an_extension_or_a_web_link_is_left_out() {
    let reply = json!({"_embedded": {"contacts": [{
        "name": "Иванов",
        "custom_fields_values": [{"values": [{"value": "Мария (менеджер)"}]}],
        "_links": {"self": {"href": "javascript:alert(1)"}}
    }]}});
    let client = client_of(&reply, &amocrm()).unwrap().unwrap();
    assert_eq!((client.responsible, client.card), (None, None));
}

#[test]
fn pointers_escape_slashes_and_tildes() {
    let settings = CrmSettings {
        name_pointer: "/a~1b/m~0n".into(),
        responsible_pointer: None,
        card_pointer: None,
        ..amocrm()
    };
    let reply = json!({"a/b": {"m~n": "Сидоров"}});
    assert_eq!(
        client_of(&reply, &settings).unwrap().unwrap().name,
        "Сидоров"
    );
}

#[test]
fn an_empty_key_is_a_key_as_rfc_6901_says() {
    let settings = CrmSettings {
        name_pointer: "//name".into(),
        responsible_pointer: None,
        card_pointer: None,
        ..amocrm()
    };
    let reply = json!({"": {"name": "Кузнецова"}, "name": "not this"});
    assert_eq!(
        client_of(&reply, &settings).unwrap().unwrap().name,
        "Кузнецова"
    );
}
