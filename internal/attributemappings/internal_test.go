package attributemappings

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A schema with its own key order, spacing and unknown properties. Changing two rows and flowTypes must leave
// everything else as it was: same keys in the same order, same values, same bytes for untouched values.
const testSchema = `{
  "@odata.context": "https://graph.example/$metadata#schema",
  "zeta": {"keep": [1, 2.50, "x"]},
  "id": "scim.0123.abc",
  "synchronizationRules": [
    {"name": "OTHER", "editable": false, "objectMappings": [{"sourceObjectName": "User", "attributeMappings": []}]},
    {
      "id": "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8", "name": "USERGROUP_OUTBOUND_USERGROUP",
      "sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "customappsso",
      "x-unknown": {"b": 1, "a": 2},
      "objectMappings": [
        {"targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "sourceObjectName": "User",
         "flowTypes": "Add, Update, Delete", "name": "Provision Users",
         "attributeMappings": [
           {"targetAttributeName": "userName", "matchingPriority": 1, "source": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "parameters": [], "type": "Attribute"}, "flowType": "Always", "custom": true},
           {"source": {"type": "Attribute", "name": "mailNickname", "expression": "[mailNickname]", "parameters": []}, "targetAttributeName": "externalId", "matchingPriority": 0, "flowType": "Always", "defaultValue": null, "exportMissingReferences": false, "flowBehavior": "FlowWhenChanged"},
           {"targetAttributeName": "emails[type eq \"work\"].value", "source": {"type": "Attribute", "name": "mail", "expression": "[mail]", "parameters": []}, "matchingPriority": 0, "flowType": "Always"}
         ]},
        {"sourceObjectName": "Group", "flowTypes": "Add, Update, Delete", "attributeMappings": [{"targetAttributeName": "displayName", "matchingPriority": 1}]}
      ]
    }
  ],
  "directories": [
    {"name": "customappsso", "objects": [{"name": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributes": [
      {"name": "userName"}, {"name": "externalId"}, {"name": "emails[type eq \"work\"].value"}, {"name": "displayName"}]}]}
  ]
}`

func TestSchemaDocChangesOnlyOwnedPlaces(t *testing.T) {
	doc, err := openSchema([]byte(testSchema), "User")
	if err != nil {
		t.Fatal(err)
	}
	if doc.ruleIdx != 1 || doc.targetDirectory != "customappsso" {
		t.Fatalf("opened rule %d (%s); the editable rule is expected", doc.ruleIdx, doc.targetDirectory)
	}
	attrs, _ := doc.targetAttributes()
	if len(attrs) != 4 {
		t.Fatalf("target attributes = %v", attrs)
	}
	rows := []mappingModel{
		{TargetAttribute: types.StringValue("externalId"), SourceAttribute: types.StringValue("objectId"), Apply: types.StringValue("always")},
		{TargetAttribute: types.StringValue(`emails[type eq "work"].value`), SourceAttribute: types.StringValue("mail"), MatchingPrecedence: types.Int64Value(2), Apply: types.StringValue("always")},
		{TargetAttribute: types.StringValue("displayName"), Expression: types.StringValue(`Join(" ", [givenName], [surname])`), Apply: types.StringValue("on_create"), DefaultValue: types.StringValue("n/a")},
	}
	if d := checkRows(doc, rows, nil, nil); d.HasError() {
		t.Fatalf("checkRows: %v", d)
	}
	for _, m := range rows {
		set, err := expandRow(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := doc.setRow(m.TargetAttribute.ValueString(), set); err != nil {
			t.Fatal(err)
		}
	}
	doc.setFlowTypes([]string{"Update", "Delete"})
	out := doc.bytes()

	after, err := openSchema(out, "User")
	if err != nil {
		t.Fatal(err)
	}
	if got := after.om.String("flowTypes"); got != "Update, Delete" {
		t.Errorf("flowTypes = %q (the service's spaced spelling is kept)", got)
	}
	by, all, _ := after.rowsByTarget()
	if len(all) != 4 {
		t.Fatalf("%d rows", len(all))
	}
	ext := by["externalid"]
	if got := ext.obj.Keys(); strings.Join(got, ",") != "source,targetAttributeName,matchingPriority,flowType,defaultValue,exportMissingReferences,flowBehavior" {
		t.Errorf("externalId row keys reordered: %v", got)
	}
	if src, _ := ext.obj.Get("source"); !strings.Contains(string(src), `"name":"objectId"`) {
		t.Errorf("externalId source = %s", src)
	}
	if p := by[`emails[type eq "work"].value`].matchingPriority(); p != 2 {
		t.Errorf("emails matching priority = %d", p)
	}
	dn := by["displayname"]
	if dn.obj.String("flowType") != "ObjectAddOnly" || dn.obj.String("defaultValue") != "n/a" {
		t.Errorf("displayName row = %s", dn.obj.Bytes())
	}

	// Everything but the owned places: byte-identical values and the same keys in the same order.
	orig, _ := openSchema([]byte(testSchema), "User")
	_, origRows, _ := orig.rowsByTarget()
	if !bytes.Equal(after.rows[0], orig.rows[0]) || origRows[0].target() != "userName" {
		t.Errorf("the userName row changed:\n%s\n%s", orig.rows[0], after.rows[0])
	}
	for _, k := range []string{"zeta", "id", "directories"} {
		a, _ := after.root.Get(k)
		b, _ := orig.root.Get(k)
		if !bytes.Equal(a, b) {
			t.Errorf("%s changed", k)
		}
	}
	if _, ok := after.root.Get("@odata.context"); ok {
		t.Error("the OData annotation was sent back")
	}
	if strings.Join(after.root.Keys(), ",") != "zeta,id,synchronizationRules,directories" {
		t.Errorf("root keys = %v", after.root.Keys())
	}
	if !bytes.Equal(after.rules[0], orig.rules[0]) || !bytes.Equal(after.maps[1], orig.maps[1]) {
		t.Error("another rule or object mapping changed")
	}
	if strings.Join(after.rule.Keys(), ",") != strings.Join(orig.rule.Keys(), ",") || strings.Join(after.om.Keys(), ",") != strings.Join(orig.om.Keys(), ",") {
		t.Error("keys of the rule or object mapping reordered")
	}
	if u, _ := after.rule.Get("x-unknown"); string(u) != `{"b": 1, "a": 2}` {
		t.Errorf("unknown property changed: %s", u)
	}

	// Restoring from a template puts its exact row back and removes rows it does not have.
	tmpl, _ := openSchema([]byte(testSchema), "User")
	if err := restore(after, tmpl, []string{"externalId", "displayName", `emails[type eq "work"].value`}, true); err != nil {
		t.Fatal(err)
	}
	if !sameJSON(after.bytes(), func() []byte { o, _ := openSchema([]byte(testSchema), "User"); return o.bytes() }()) {
		t.Errorf("restore did not give back the template:\n%s", after.bytes())
	}
}

func TestCheckRows(t *testing.T) {
	doc, err := openSchema([]byte(testSchema), "User")
	if err != nil {
		t.Fatal(err)
	}
	unknown := []mappingModel{{TargetAttribute: types.StringValue("nickName"), SourceAttribute: types.StringValue("x"), MatchingPrecedence: types.Int64Null()}}
	if d := checkRows(doc, unknown, nil, nil); !d.HasError() || !strings.Contains(d[0].Detail(), "no such attribute") {
		t.Errorf("unknown target attribute: %v", d)
	}
	collide := []mappingModel{{TargetAttribute: types.StringValue("externalId"), SourceAttribute: types.StringValue("objectId"), MatchingPrecedence: types.Int64Value(1)}}
	if d := checkRows(doc, collide, nil, nil); !d.HasError() || !strings.Contains(d[0].Detail(), `"userName"`) {
		t.Errorf("collision with userName: %v", d)
	}
	noMatch := []mappingModel{{TargetAttribute: types.StringValue("userName"), SourceAttribute: types.StringValue("userPrincipalName"), MatchingPrecedence: types.Int64Null()}}
	if d := checkRows(doc, noMatch, nil, nil); !d.HasError() || !strings.Contains(d[0].Summary(), "No matching attribute") {
		t.Errorf("no matching attribute: %v", d)
	}
	moved := []mappingModel{{TargetAttribute: types.StringValue("userName"), SourceAttribute: types.StringValue("userPrincipalName"), MatchingPrecedence: types.Int64Value(2)},
		{TargetAttribute: types.StringValue("externalId"), SourceAttribute: types.StringValue("objectId"), MatchingPrecedence: types.Int64Value(1)}}
	if d := checkRows(doc, moved, nil, nil); d.HasError() {
		t.Errorf("owning userName frees precedence 1: %v", d)
	}
}

func TestFlowTypes(t *testing.T) {
	if got := actionsFromFlowTypes("Add, Update, Delete"); strings.Join(got, ",") != "Create,Delete,Update" {
		t.Errorf("spaced: %v", got)
	}
	if got := actionsFromFlowTypes("Update,Delete"); strings.Join(got, ",") != "Delete,Update" {
		t.Errorf("unspaced: %v", got)
	}
	if got := flowTypesFromActions([]string{"Delete", "Create"}, ","); got != "Add,Delete" {
		t.Errorf("flowTypesFromActions = %s", got)
	}
}

func TestFlattenRowKeepsPriorSpelling(t *testing.T) {
	doc, _ := openSchema([]byte(testSchema), "User")
	by, _, _ := doc.rowsByTarget()
	prior := mappingModel{TargetAttribute: types.StringValue("EXTERNALID"), Expression: types.StringValue("[mailNickname]"), DefaultValue: types.StringNull()}
	got := flattenRow(by["externalid"], &prior)
	if got.Expression.ValueString() != "[mailNickname]" || !got.SourceAttribute.IsNull() || got.TargetAttribute.ValueString() != "EXTERNALID" {
		t.Errorf("flattenRow = %+v", got)
	}
	fresh := flattenRow(by["externalid"], nil)
	if fresh.SourceAttribute.ValueString() != "mailNickname" || !fresh.Expression.IsNull() {
		t.Errorf("flattenRow without prior = %+v", fresh)
	}
}
