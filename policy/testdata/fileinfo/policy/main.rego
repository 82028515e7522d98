package main

warn contains msg if {
	msg := sprintf("%s in %s", [data.conftest.file.name, input.kind])
}
