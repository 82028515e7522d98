package z

warn contains "z" if input.kind
