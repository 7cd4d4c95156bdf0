package attributemappings

import (
	"bytes"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The object mapping's "Enabled" switch (the portal's Mappings page: "Provision Microsoft Entra ID Groups —
// Enabled: Yes/No"). For the Group object mapping it is how a configuration says "users only" (false: no group is
// ever sent to Auth0; assigned groups only select which users are provisioned) or "users and groups" (true, the
// template's default: assigned groups are created in Auth0 with their members, which needs a SCIM token with the
// group scopes, scim-groups.md §1 and §4).

func enabledAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(true),
		MarkdownDescription: "Whether the object mapping runs (the portal's *Enabled* switch; default `true`, as the " +
			"template ships both mappings). For `source_object = \"Group\"` this chooses the setup: `false` is " +
			"**users only** (no group is sent to Auth0; assigned groups only select which users are provisioned), " +
			"`true` is **users and groups** (assigned groups are created in Auth0 with their members; the SCIM token " +
			"must carry `get:groups`, `post:groups`, `patch:groups` and `delete:groups`). See the guide " +
			"*Provisioning groups*.",
	}
}

// enabled reads the object mapping's enabled flag (absent means enabled).
func (d *schemaDoc) enabled() bool {
	v, ok := d.om.Get("enabled")
	return !ok || string(bytes.TrimSpace(v)) != "false"
}

// setEnabled writes the enabled flag when it differs, keeping the bytes otherwise.
func (d *schemaDoc) setEnabled(on types.Bool) {
	if on.IsNull() || on.IsUnknown() || d.enabled() == on.ValueBool() {
		return
	}
	_ = d.om.SetValue("enabled", on.ValueBool())
}

// restoreEnabled puts back the template's flag.
func (d *schemaDoc) restoreEnabled(tmpl *schemaDoc) {
	if v, ok := tmpl.om.Get("enabled"); ok {
		d.om.Set("enabled", v)
	}
}
