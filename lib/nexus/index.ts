// h5swmr/nexus: facility layouts on top of the core: DECTRIS Eiger master files, and finding the keys,
// finished flag and data of a NeXus / Diamond / Odin / simulator scan to follow it.
export { EigerFrames, eigerLinks } from './eiger'
export type { EigerLink } from './eiger'
export { discoverScan, followScan, scanMetadata } from './discover'
// A growing dataset as a GrowingSource; in the core API too (h5swmr), where it now lives.
export { datasetGrowth } from '../follow/growth-follower'
export type { ScanDiscovery, Found, FoundData, FollowScanResult } from './discover'
