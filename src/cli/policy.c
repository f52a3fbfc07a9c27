/* policy.c - `wlk policy publish`: a new version of the policy rendered
 * from the current data map (九). */
#include "audit/audit.h"
#include "cli/cli_int.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <string.h>

#define NOTE_MAX 500

int cli_policy_publish(app_ctx_t *c, const cli_t *cli)
{
    privacy_publish_t p = {.material = cli_has(cli, "material"),
                           .force = cli_has(cli, "force"),
                           .note = cli_get(cli, "note")};
    if ((p.note && (p.note[0] == '\0' || strlen(p.note) > NOTE_MAX)) || (p.force && !p.note)) {
        fprintf(cli->err,
                "usage: wlk policy publish [--material] [--note TEXT (1-%d bytes)] "
                "[--force (needs --note)]\n",
                NOTE_MAX);
        return 2;
    }
    err_t e = {0};
    bool published, material;
    char version[17];
    if (privacy_policy_publish(c, &p, &published, version, &material, &e) < 0)
        return cli_fail(cli, "policy publish", &e);
    if (!published && (p.note || p.material)) {
        fprintf(cli->err,
                "wlk policy publish: the rendered policy is unchanged (version %s is "
                "current); to publish the same text again as a new version add --force\n",
                version);
        return 2;
    }
    if (!published) {
        fprintf(cli->out, "policy unchanged: version %s is current; nothing published\n", version);
        return 0;
    }
    json_t *d = json_pack("{s:s, s:b}", "version", version, "material", material);
    audit_entry_t a = {.actor = "cli", .action = "policy.publish", .reason = p.note, .detail = d};
    int rc = audit_append(c, &a, &e);
    json_decref(d);
    if (rc < 0)
        return cli_fail(cli, "policy publish", &e);
    fprintf(cli->out, "published policy version %s (%s)\n", version,
            material ? "material: users must accept it again" : "not material: users are notified");
    return 0;
}
