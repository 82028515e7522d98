package kvet.placeholder
