package c

deny contains "c" if input.kind
