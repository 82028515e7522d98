package main

deny contains "always" if input.kind == "Pod"
