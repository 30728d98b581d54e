// The floor of the thread comparisons: a bare worker_threads echo. A message `[id, buffer, transfer]` comes
// back as it is, its buffer transferred when asked.
import { parentPort } from "node:worker_threads"

const port = parentPort!
port.on("message", (message: unknown) => {
  if (Array.isArray(message) && message[2] === true) port.postMessage(message, [message[1] as ArrayBuffer])
  else port.postMessage(message)
})
