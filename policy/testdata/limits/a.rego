package a

deny contains "a" if input.kind
