package other.sub

warn contains "other warns" if true

deny contains msg if {
	input.kind == "Service"
	msg := "no services"
}
