/// A point or velocity in world units.
struct Vector3: Equatable {
    var x: Double
    var y: Double
    var z: Double

    static let zero = Vector3(x: 0, y: 0, z: 0)

    static func + (a: Vector3, b: Vector3) -> Vector3 {
        Vector3(x: a.x + b.x, y: a.y + b.y, z: a.z + b.z)
    }

    static func - (a: Vector3, b: Vector3) -> Vector3 {
        Vector3(x: a.x - b.x, y: a.y - b.y, z: a.z - b.z)
    }

    static func * (a: Vector3, k: Double) -> Vector3 {
        Vector3(x: a.x * k, y: a.y * k, z: a.z * k)
    }

    /// `a + (b - a) * t`.
    static func lerp(_ a: Vector3, _ b: Vector3, _ t: Double) -> Vector3 {
        a + (b - a) * t
    }
}
