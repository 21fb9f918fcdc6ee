// h5swmr/view: watch a live scan in the browser (h5swmr view FILE).
export { startView } from './server'
export type { ViewOptions, ViewServer } from './server'
export type { ViewInfo, ViewSnapshot, ViewStatus } from './state'
