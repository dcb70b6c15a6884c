// Library-wide facts and helpers: version, capabilities, CURVE key pairs.

internal import CZeroMQ

/// The libzmq version linked at run time, e.g. `(4, 3, 4)`.
public func zmqVersion() -> (major: Int, minor: Int, patch: Int) {
    var major: Int32 = 0
    var minor: Int32 = 0
    var patch: Int32 = 0
    zmq_version(&major, &minor, &patch)
    return (Int(major), Int(minor), Int(patch))
}

/// Whether libzmq was built with a capability (`zmq_has`): `"ipc"`, `"curve"`, `"gssapi"`,
/// `"draft"`… Debian 12's libzmq 4.3.4 has `curve` and `ipc` but not `draft`.
public func hasCapability(_ capability: String) -> Bool {
    zmq_has(capability) == 1
}

/// A new CURVE key pair as 40-character Z85 strings (`zmq_curve_keypair`).
///
/// - Throws: ``ZMQError/notSupported`` when libzmq was built without CURVE.
public func curveKeypair() throws(ZMQError) -> (public: String, secret: String) {
    var publicKey = [CChar](repeating: 0, count: 41)
    var secretKey = [CChar](repeating: 0, count: 41)
    try check("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
    func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return (text(publicKey), text(secretKey))
}

/// The public key that belongs to a CURVE secret key (`zmq_curve_public`).
///
/// - Throws: ``ZMQError/notSupported`` when libzmq was built without CURVE.
public func curvePublicKey(secret: ZMQCurveKey) throws(ZMQError) -> ZMQCurveKey {
    var publicText = [CChar](repeating: 0, count: 41)
    let secretText = Array(secret.z85.utf8CString)
    try check("zmq_curve_public") { zmq_curve_public(&publicText, secretText) }
    let z85 = String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // libzmq wrote 40 Z85 characters of a 32-byte key, so this cannot fail.
    guard let key = ZMQCurveKey(z85: z85) else { throw ZMQError(code: EINVAL, operation: "zmq_curve_public (bad output)") }
    return key
}
