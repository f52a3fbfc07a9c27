/* datamap.c - THE data map. Adding personal data to the platform starts
 * here: a category with its labels, purposes, consent, encryption,
 * retention and recipients. The published policy, export, erasure and the
 * retention sweeper are derived from these tables. */
#include "privacy/privacy.h"

#include <string.h>

#define L(...)                                                                                     \
    {                                                                                              \
        __VA_ARGS__, NULL                                                                          \
    }
#define KEEP_ACCOUNT                                                                               \
    {                                                                                              \
        PRIVACY_UNTIL_CANCELLED, 0, PRIVACY_DELETE                                                 \
    }
#define KEEP_DAYS(d, a)                                                                            \
    {                                                                                              \
        PRIVACY_FROM_COLLECTION, d, a                                                              \
    }
#define KEEP_PURPOSE                                                                               \
    {                                                                                              \
        PRIVACY_UNTIL_PURPOSE_DONE, 0, PRIVACY_DELETE                                              \
    }

const privacy_purpose_t privacy_purposes[] = {
    {"account", "注册、登录和管理账户", "sign-up, sign-in and account management"},
    {"verification", "身份认证", "identity verification"},
    {"binding", "核验楼盘置业顾问身份(绑定楼盘)", "verify a consultant's binding to a development"},
    {"publishing", "发布和展示内容", "publishing and showing content"},
    {"chat", "与客户沟通并在多设备间同步", "chat with customers, synced across devices"},
    {"push", "新消息与安全通知推送", "new-message and security notifications"},
    {"booking", "预约看房", "viewing appointments"},
    {"marketing", "营销活动奖励发放与代缴税款", "campaign rewards and tax withholding"},
    {"transaction", "订单、支付、交付与售后", "orders, payment, delivery and after-sales"},
    {"support", "客户服务、投诉与问卷", "customer service, complaints and surveys"},
    {"security", "账户与交易安全、风险控制", "account and transaction security, risk control"},
    {"analytics", "统计分析与服务改进", "statistics and service improvement"},
    {"legal", "履行法定义务", "legal obligations"},
};
const size_t privacy_purposes_count = sizeof(privacy_purposes) / sizeof(privacy_purposes[0]);

const privacy_recipient_t privacy_recipients[] = {
    {"sms_provider", "短信服务商", "SMS provider", "发送验证码与通知短信"},
    {"push_vendors", "推送服务商(华为、小米、OPPO、vivo、个推、Mob)",
     "push vendors (Huawei, Xiaomi, OPPO, vivo, Getui, Mob)", "向您的设备推送通知"},
    {"verify_provider", "实名认证服务商(58同城认证SDK)", "identity verification provider",
     "核验人脸照片或银行卡信息"},
    {"payment_providers", "支付机构(微信支付、支付宝、Apple 应用内购买)",
     "payment providers (WeChat Pay, Alipay, Apple IAP)", "确认支付指令并完成支付、退款提现"},
    {"map_provider", "地图服务商(百度地图SDK)", "map provider (Baidu Maps SDK)", "定位与浏览地图"},
    {"fulfilment_partners", "交付合作方(关联方或物流合作方)", "fulfilment partners",
     "交付订单与寄送礼品"},
    {"security_sdks", "安全服务商(58同城指纹SDK、腾讯Bugly、极验行为验证)",
     "security SDKs (fingerprint, Bugly crash reports, GeeTest)", "安全风控与崩溃分析"},
};
const size_t privacy_recipients_count = sizeof(privacy_recipients) / sizeof(privacy_recipients[0]);

const privacy_scope_t privacy_scopes[] = {
    {"policy", "隐私政策", "privacy policy", false},
    /* given by a child's guardian with a code to their phone (identity/minors.c), never here */
    {"guardian", "监护人同意(不满十四周岁的未成年人)", "a guardian's consent (children under 14)",
     false},
    {"location", "位置信息(行踪轨迹)", "location", true},
    {"identity_verification", "实名认证(姓名、身份证号码,及人脸照片或银行卡信息)",
     "identity verification (name, ID number, and a face photo or a bank card)", true},
    {"marketing", "营销活动", "marketing campaigns", true},
    {"analytics", "统计分析(Cookie 与网络 beacon)", "analytics (cookies and beacons)", true},
    {"personalisation", "个性化推荐", "personalised recommendations", true},
};
const size_t privacy_scopes_count = sizeof(privacy_scopes) / sizeof(privacy_scopes[0]);

/* id, zh, en, sensitive, encrypted, consent, features, purposes, recipients, retention */
const privacy_category_t privacy_categories[] = {
    {"phone", "手机号码", "phone number", false, true, "policy", "F1 F9 F11 F18",
     L("account", "security", "support"), L("sms_provider"), KEEP_ACCOUNT},
    {"nickname", "用户名(昵称)", "user name (nickname)", false, true, "policy", "F2",
     L("account", "publishing", "chat"), L(NULL), KEEP_ACCOUNT},
    {"avatar", "头像", "avatar", false, false, "policy", "F2 F4", L("account", "publishing"),
     L(NULL), KEEP_ACCOUNT},
    {"real_name", "姓名(实名认证后)", "real name (once verified)", false, true,
     "identity_verification", "F2 F3 F9 F10",
     L("verification", "binding", "marketing", "transaction"),
     L("verify_provider", "fulfilment_partners"), KEEP_ACCOUNT},
    {"id_number", "身份证号码(另存打码号码与认证结果)",
     "ID card number (with its masked form and the result of the check)", true, true,
     "identity_verification", "F2 F3 F9 F20", L("verification", "binding", "marketing", "legal"),
     L("verify_provider", "payment_providers"), KEEP_ACCOUNT},
    {"id_documents", "名片、工牌照片", "business card and work badge photos", false, true, "policy",
     "F3", L("binding"), L(NULL), KEEP_PURPOSE},
    {"face_photo", "人脸照片(认证完成即删除)", "face photo (deleted once the check is done)", true,
     true, "identity_verification", "F2", L("verification"), L("verify_provider"), KEEP_PURPOSE},
    {"bank_card", "银行卡号及银行预留电话号码(认证完成即删除)",
     "bank card number and reserved phone (deleted once the check is done)", true, true,
     "identity_verification", "F2 F10", L("verification", "transaction"),
     L("verify_provider", "payment_providers"), KEEP_PURPOSE},
    {"age_range", "年龄段(自愿填写)", "age range (stated, optional)", false, false, "policy", "F20",
     L("account", "legal"), L(NULL), KEEP_ACCOUNT},
    {"guardian_contact", "监护人手机号码(不满十四周岁)", "guardian's phone (children under 14)",
     false, true, "policy", "F20", L("legal"), L("sms_provider"), KEEP_ACCOUNT},
    {"binding_records", "绑定楼盘申请与审核记录(楼盘、角色、联系电话、结果与理由)",
     "development binding applications and their review (development, role, contact phone, "
     "result and reason)",
     false, true, "policy", "F3", L("binding"), L(NULL), KEEP_ACCOUNT},
    {"customer_attribution", "客户归属记录(楼盘、置业顾问、来源、保护期)",
     "customer attribution (development, consultant, source, protection period)", false, false,
     "policy", "F3 F6", L("chat", "booking"), L(NULL), KEEP_ACCOUNT},
    {"location", "位置信息", "location", true, true, "location", "F3 F6", L("chat", "binding"),
     L("map_provider"), KEEP_ACCOUNT},
    {"chat_content", "聊天内容(文字、图片、音视频、位置)",
     "chat content (text, pictures, audio, video, location)", false, true, "policy", "F6",
     L("chat"), L(NULL), KEEP_ACCOUNT},
    {"published_content", "发布的内容(现场、点评、问答)", "published posts, reviews, answers",
     false, false, "policy", "F4 F5", L("publishing"), L(NULL), KEEP_ACCOUNT},
    {"appointments", "预约看房信息", "viewing appointments", false, true, "policy", "F7",
     L("booking"), L(NULL), KEEP_DAYS(365, PRIVACY_DELETE)},
    {"address", "收货地址", "delivery address", false, true, "policy", "F9 F10",
     L("marketing", "transaction"), L("fulfilment_partners"), KEEP_PURPOSE},
    {"orders", "订单与发票信息", "orders and invoices", false, true, "policy", "F10",
     L("transaction", "legal"), L("payment_providers"), KEEP_DAYS(1095, PRIVACY_RESTRICT)},
    {"support_records", "客服、投诉与问卷记录", "support tickets, complaints and surveys", false,
     true, "policy", "F11 F22", L("support"), L(NULL), KEEP_DAYS(1095, PRIVACY_DELETE)},
    {"device_info", "设备信息与标识符", "device information and identifiers", false, true, "policy",
     "F1 F13", L("account", "security"), L("security_sdks"), KEEP_ACCOUNT},
    {"push_token", "推送标识", "push token", false, false, "policy", "F8", L("push"),
     L("push_vendors"), KEEP_ACCOUNT},
    {"ip_address", "IP地址(仅浏览时)", "IP address (browse-only)", false, false, "policy",
     "F13 F17", L("security"), L(NULL), KEEP_DAYS(1, PRIVACY_DELETE)},
    {"security_log", "登录与安全日志(IP 仅保留散列后的网段)",
     "sign-in and security log (IP kept only as a keyed hash of its network)", false, false,
     "policy", "F13 F18", L("security", "legal"), L(NULL), KEEP_DAYS(180, PRIVACY_DELETE)},
    {"browsing", "浏览记录(Cookie 与网络 beacon)", "browsing (cookies and web beacons)", false,
     false, "analytics", "F15", L("analytics"), L(NULL), KEEP_DAYS(30, PRIVACY_ANONYMISE)},
    {"consent_records", "同意与撤回记录", "consent and withdrawal records", false, false, "policy",
     "F19 F21", L("legal"), L(NULL), KEEP_DAYS(1095, PRIVACY_DELETE)},
    {"disclosure_records", "向第三方提供个人信息的记录", "records of disclosures to third parties",
     false, false, "policy", "F16", L("legal"), L(NULL), KEEP_DAYS(1095, PRIVACY_DELETE)},
    {"audit_records", "个人信息访问与处理审计记录",
     "audit records of access to and processing of personal data", false, false, "policy", "F18",
     L("security", "legal"), L(NULL), KEEP_DAYS(1095, PRIVACY_DELETE)},
    {"wristband", "手环配对与转发偏好", "wristband pairing and forwarding preferences", false,
     false, "policy", "F12", L("account"), L(NULL), KEEP_ACCOUNT},
};
const size_t privacy_categories_count = sizeof(privacy_categories) / sizeof(privacy_categories[0]);

#define FIND(table, count, key)                                                                    \
    for (size_t i = 0; i < (count); i++)                                                           \
        if (strcmp((table)[i].id, (key)) == 0)                                                     \
            return &(table)[i];                                                                    \
    return NULL

const privacy_category_t *privacy_category_find(const char *id)
{
    FIND(privacy_categories, privacy_categories_count, id);
}

const privacy_purpose_t *privacy_purpose_find(const char *id)
{
    FIND(privacy_purposes, privacy_purposes_count, id);
}

const privacy_recipient_t *privacy_recipient_find(const char *id)
{
    FIND(privacy_recipients, privacy_recipients_count, id);
}

const privacy_scope_t *privacy_scope_find(const char *id)
{
    FIND(privacy_scopes, privacy_scopes_count, id);
}

const char *privacy_action_name(privacy_action_t a)
{
    static const char *const n[] = {"delete", "anonymise", "restrict"};
    return n[a];
}

const char *privacy_trigger_name(privacy_trigger_t t)
{
    static const char *const n[] = {"account_cancelled", "collected", "purpose_done"};
    return n[t];
}

static json_t *id_list(const char *const *ids)
{
    json_t *a = json_array();
    for (size_t i = 0; i < PRIVACY_MAX_LIST && ids[i]; i++)
        json_array_append_new(a, json_string(ids[i]));
    return a;
}

json_t *privacy_datamap_json(void)
{
    json_t *out = json_array();
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const privacy_category_t *c = &privacy_categories[i];
        const privacy_retention_t *r = &c->retention;
        json_array_append_new(
            out,
            json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:o, s:o, s:{s:o, s:s, s:s}}", "id",
                      c->id, "label_zh", c->label_zh, "label_en", c->label_en, "sensitive",
                      c->sensitive, "encrypted", c->encrypted, "consent", c->consent, "features",
                      c->features, "purposes", id_list(c->purposes), "recipients",
                      id_list(c->recipients), "retention", "days",
                      r->days ? json_integer(r->days) : json_null(), "until",
                      privacy_trigger_name(r->trigger), "action", privacy_action_name(r->action)));
    }
    return out;
}

json_t *privacy_recipients_json(void)
{
    json_t *out = json_array();
    for (size_t i = 0; i < privacy_recipients_count; i++) {
        const privacy_recipient_t *r = &privacy_recipients[i];
        json_t *cats = json_array();
        for (size_t j = 0; j < privacy_categories_count; j++)
            for (size_t k = 0; k < PRIVACY_MAX_LIST && privacy_categories[j].recipients[k]; k++)
                if (strcmp(privacy_categories[j].recipients[k], r->id) == 0)
                    json_array_append_new(cats, json_string(privacy_categories[j].id));
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", r->id, "name_zh",
                                             r->name_zh, "name_en", r->name_en, "purpose",
                                             r->purpose_zh, "categories", cats));
    }
    return out;
}

json_t *privacy_scopes_json(void)
{
    json_t *out = json_array();
    for (size_t i = 0; i < privacy_scopes_count; i++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "id", privacy_scopes[i].id,
                                             "label_zh", privacy_scopes[i].zh, "label_en",
                                             privacy_scopes[i].en, "optional",
                                             privacy_scopes[i].optional));
    return out;
}
