package main

# conftest's builtins: parse_config, parse_config_file,
# parse_combined_config_files (paths relative to this file).
deny contains msg if {
	c := parse_config("yaml", "replicas: 3\nname: web\n")
	c.replicas == 3
	msg := sprintf("yaml: %s", [c.name])
}

deny contains msg if {
	c := parse_config("toml", "[server]\nport = 8080\n")
	msg := sprintf("toml: %d", [c.server.port])
}

deny contains msg if {
	c := parse_config("json", `{"a": [1, 2]}`)
	msg := sprintf("json: %d", [count(c.a)])
}

deny contains msg if {
	c := parse_config_file("../conf/app.yaml")
	msg := sprintf("file: %s", [c.app])
}

deny contains msg if {
	c := parse_combined_config_files(["../conf/two.yaml", "../conf/app.yaml", "../conf/db.toml"])
	some entry in c
	endswith(entry.path, "db.toml")
	msg := sprintf("combined: %d, %s", [count(c), entry.contents.db.host])
}
