// Every test file closes what it opens: after its last test, no HDF5 id is open in the process (jest
// runs several files in one worker, so an id left open would show up in another file's counts).
import { File } from '../../lib'

afterAll(() => {
  expect(File.openObjectCount()).toBe(0)
})
