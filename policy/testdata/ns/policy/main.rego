package main

deny contains "main denies everything" if true
