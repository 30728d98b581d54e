// The floor of the process comparison: a bare child_process IPC echo.
process.on("message", (message) => {
  process.send!(message)
})
