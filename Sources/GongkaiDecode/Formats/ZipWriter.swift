// Writing a ZIP package in memory (for the corpus generator's .docx files and for tests), through
// ZIPFoundation, so that callers need no dependency of their own.

import Foundation
import ZIPFoundation

public enum ZipWriter {
    /// A deflated ZIP archive of `entries`, in order, every entry stamped with `modified` (so that the same
    /// entries give the same bytes). Nil only if ZIPFoundation fails to write to memory.
    public static func archive(_ entries: [(path: String, bytes: [UInt8])],
                               modified: Date = Date(timeIntervalSince1970: 1_704_067_200)) -> [UInt8]? {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for entry in entries {
                let data = Data(entry.bytes)
                try archive.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: modified, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            return archive.data.map { Array($0) }
        } catch {
            return nil
        }
    }
}
