// The worker of piscina and tinypool in the start-up comparison: the empty task.
export default (n) => n
