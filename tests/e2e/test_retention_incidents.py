"""Security incidents (六.二.6) reach every affected user in the app and by
push; every hand-over to a third party leaves a disclosure record (五)."""
from conftest import (CHAT_FLAGS, make_chat_user, open_conversation, send_text, set_push_token,
                      new_phone, sync_all, wait_push)
from retention_util import count, query, wlk, wlk_ok

INCIDENT = ["--categories", "phone,device_info", "--cause", "备份文件误公开", "--harm",
            "手机号密文可能被下载", "--remedies", "已撤回链接并轮换密钥", "--actions",
            "留意可疑短信", "--contact", "400-620-6688"]


def test_an_incident_notice_reaches_every_affected_user_in_the_app_and_by_push(make_server):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, devices=1), make_chat_user(srv, devices=1)
    token = set_push_token(srv, b.token, b.device_ids[0])
    srv.stop()
    srv.assert_clean()
    d = srv.data_dir
    out = wlk_ok(d, "incident", "notify", *INCIDENT, "--users", "all")
    assert "2 users notified" in out
    assert query(d, "SELECT categories, notified FROM incidents") == [("phone device_info", 2)]
    assert count(d, "SELECT COUNT(*) FROM audit_log WHERE action = 'incident.notify'") == 1
    srv = make_server(*CHAT_FLAGS, data_dir=d)
    for u in (a, b):
        events, _ = sync_all(srv, u.token)
        notes = [e for e in events if e["type"] == "incident.notice"]
        assert len(notes) == 1, events
        n = notes[0]["data"]
        assert n["cause"] == "备份文件误公开" and n["contact"] == "400-620-6688"
        assert n["categories"] == ["phone", "device_info"]
        assert n["harm"] and n["remedies"] and n["actions"]
    push = wait_push(srv, token)[-1]
    assert push["title"] == "个人信息安全事件告知"


def test_an_incident_for_named_users_reaches_only_them(make_server):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, devices=1), make_chat_user(srv, devices=1)
    srv.stop()
    srv.assert_clean()
    wlk_ok(srv.data_dir, "incident", "notify", *INCIDENT, "--users", a.id)
    srv = make_server(*CHAT_FLAGS, data_dir=srv.data_dir)
    assert [e["type"] for e in sync_all(srv, a.token)[0]].count("incident.notice") == 1
    assert [e["type"] for e in sync_all(srv, b.token)[0]].count("incident.notice") == 0


def test_a_bad_incident_is_refused_and_records_nothing(make_server):
    srv = make_server()
    srv.login(new_phone())
    srv.stop()
    srv.assert_clean()
    d = srv.data_dir
    cases = [
        ["--categories", "phone,nope"] + INCIDENT[2:],
        INCIDENT[:2] + INCIDENT[4:],  # no cause
        INCIDENT[:2] + ["--cause", ""] + INCIDENT[4:],
        INCIDENT + ["--users", "12345"],
        INCIDENT + ["--users", "1,x"],
    ]
    for args in cases:
        p = wlk(d, "incident", "notify", *args)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
    assert count(d, "SELECT COUNT(*) FROM incidents") == 0
    assert count(d, "SELECT COUNT(*) FROM events WHERE type = 'incident.notice'") == 0


def test_each_sms_and_push_leaves_a_disclosure_record_without_the_phone(make_server):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, devices=1), make_chat_user(srv, devices=1)
    token = set_push_token(srv, b.token, b.device_ids[0])
    cid = open_conversation(srv, a, b)["id"]
    send_text(srv, a.token, cid)
    wait_push(srv, token)
    srv.stop()
    srv.assert_clean()
    rows = query(srv.data_dir, "SELECT user_id, recipient, categories, purpose, legal_basis, at, "
                               "subject_bidx FROM disclosures ORDER BY at, id")
    mine = {(r[0], r[1], r[2], r[3], r[4]) for r in rows}
    # the sign-in code went out before the account existed: the record was
    # given to the account when it was created
    assert (int(a.id), "sms_provider", "phone", "account", "contract") in mine
    assert (int(b.id), "sms_provider", "phone", "account", "contract") in mine
    assert (int(b.id), "push_vendors", "push_token", "push", "consent") in mine
    assert all(r[5] > 0 and r[6] is None for r in rows)
    blob = repr(rows).encode()
    for u in (a, b):
        assert u.phone.encode() not in blob and u.phone[-8:].encode() not in blob
