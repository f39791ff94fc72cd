import DesyncCLI
import Foundation

// Large column arrays come and go partition by partition. By default glibc
// raises its mmap threshold to the size of the last large block freed (up
// to 32 MiB), after which such blocks come from the heap and their pages
// stay resident when freed; a fixed threshold returns them to the system,
// so the resident size follows what is live. (`mallopt` is declared in
// <malloc.h>, which the Glibc module does not export.)
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
_ = mallopt(mmapThreshold, 4 << 20)

exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
