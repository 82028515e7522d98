package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const lspJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Always
      containers:
        - name: migrate
          image: busybox:1.36
`

// nvimScript drives Neovim's built-in LSP client (0.7's start_client and
// buf_attach_client): open the manifest, record the diagnostics, take the
// first code action on the Job's restartPolicy (its fix), apply its edit, and wait for the
// finding to go.
const nvimScript = `
local KVET, ROOT, FILE, OUT = [[%s]], [[%s]], [[%s]], [[%s]]
local function fail(msg)
  vim.fn.writefile({"FAIL: " .. msg}, OUT)
  vim.cmd("qall!")
end
local function code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
end
local id = vim.lsp.start_client({cmd = {KVET, "lsp"}, root_dir = ROOT, name = "kvet"})
if not id then return fail("start_client") end
vim.cmd("edit " .. vim.fn.fnameescape(FILE))
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, id)
if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
  return fail("no diagnostics")
end
local lines = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(lines, string.format("diag %%d:%%d-%%d:%%d %%s %%d", d.lnum, d.col, d.end_lnum, d.end_col, code(d), d.severity))
end
local target
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if code(d) == "job-restart-policy" then target = d end
end
if not target then return fail("no job-restart-policy diagnostic") end
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = {start = {line = target.lnum, character = target.col}, ["end"] = {line = target.end_lnum, character = target.end_col}},
  context = {diagnostics = {}},
}
local results = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000)
local action
for _, r in pairs(results or {}) do
  for _, a in ipairs(r.result or {}) do
    table.insert(lines, "offered " .. a.title)
    action = action or a
  end
end
if not action then return fail("no code action") end
table.insert(lines, "applied " .. action.title)
vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
local gone = vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if code(d) == code(target) then return false end
  end
  return true
end, 50)
table.insert(lines, "gone " .. tostring(gone))
vim.fn.writefile(vim.api.nvim_buf_get_lines(buf, 0, -1, false), OUT .. ".buf")
vim.fn.writefile(lines, OUT)
vim.lsp.stop_client(id)
vim.cmd("qall!")
`

// TestLSPWithNeovim runs kvet lsp under a real client: Neovim's built-in
// LSP client, headless, on a workspace with a broken Job.
func TestLSPWithNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("nvim is not on PATH (apt-get install neovim; .ci/run installs it): skipping the real-client LSP test")
	}
	root := t.TempDir()
	file := filepath.Join(root, "job.yaml")
	if err := os.WriteFile(file, []byte(lspJob), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out.txt")
	script := filepath.Join(t.TempDir(), "test.lua")
	if err := os.WriteFile(script, []byte(fmt.Sprintf(nvimScript, kvetBin, root, file, out)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-n", "-c", "luafile "+script)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home, "XDG_STATE_HOME="+home, "XDG_CACHE_HOME="+home)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nvim: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	report := string(got)
	// The diagnostic is at restartPolicy's value (line 8, 0-based 7,
	// columns 21-27), an error, with the rule id as its code.
	for _, want := range []string{
		"diag 7:21-7:27 job-restart-policy 1",
		"offered Ignore job-restart-policy here (kvet:ignore comment)",
		"applied Fix: set restartPolicy: Never (or choose OnFailure) (unsafe: review it)",
		"gone true",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("Neovim saw:\n%s\nwant a line %q", report, want)
		}
	}
	buf, err := os.ReadFile(out + ".buf")
	if err != nil {
		t.Fatal(err)
	}
	if want := "    spec:\n      restartPolicy: Never\n      containers:\n"; !strings.Contains(string(buf), want) {
		t.Errorf("buffer after the code action:\n%s\nwant it to contain\n%s", buf, want)
	}
	// kvet never writes the user's file: the edit is in the buffer only.
	if disk, _ := os.ReadFile(file); string(disk) != lspJob {
		t.Errorf("job.yaml changed on disk:\n%s", disk)
	}
}
