import Foundation

/// How one player moves in the server's simulation, tick by tick.
///
/// The player keeps a gait (stopped, walking, running) for a random time
/// with mean `gaitSeconds`; its speed approaches the gait's speed at most
/// `acceleration` per second, so it never jumps. The heading turns at a rate
/// that itself drifts smoothly (a mean-reverting random walk, capped at
/// `maxTurnRate`); near a wall the player steers back towards the middle,
/// and a step that would leave the map is cut at the wall and bounces.
/// Height follows a gentle terrain (0 to `terrainHeight`) plus jumps under
/// gravity. Horizontal speed never exceeds `runSpeed`, so a tick's step is
/// at most `runSpeed × tick`.
struct MovementModel {
    enum Gait: CaseIterable {
        case stop, walk, run
    }

    /// Terrain height range and jump physics (world units, seconds).
    static let terrainHeight = 5.0
    static let jumpSpeed = 5.0
    static let gravity = 15.0
    /// Highest point anyone can reach: terrain top plus a jump's apex.
    static let maxHeight = terrainHeight + jumpSpeed * jumpSpeed / (2 * gravity)
    /// Time constant of the turn rate's drift (seconds).
    static let turnMemory = 1.0
    /// How far ahead (units) a player looks for walls.
    static let lookAhead = 6.0

    let options: RealisticOptions
    let dt: Double
    private(set) var position: Vector3
    /// Velocity of the last step (units per second), vertical included.
    private(set) var velocity = Vector3.zero
    private var heading: Double
    private var speed = 0.0
    private var turnRate = 0.0
    private var gait = Gait.walk
    private var gaitTicksLeft = 0
    /// Height above the terrain and vertical speed while airborne.
    private var lift = 0.0
    private var verticalSpeed = 0.0
    private var airborne = false

    init(options: RealisticOptions, tickSeconds: Double, random: inout RandomSource) {
        self.options = options
        dt = tickSeconds
        let x = random.uniform(0, options.mapSize)
        let y = random.uniform(0, options.mapSize)
        position = Vector3(x: x, y: y, z: Self.ground(x, y, options.mapSize))
        heading = random.uniform(-Double.pi, Double.pi)
    }

    /// The terrain height under a point: smooth hills between 0 and
    /// `terrainHeight`, one period across the map.
    static func ground(_ x: Double, _ y: Double, _ size: Double) -> Double {
        let k = 2 * Double.pi / size
        return terrainHeight * 0.5 * (1 + sin(k * x) * cos(k * y))
    }

    /// Advances one tick; returns true when the player jumped this tick.
    mutating func step(_ random: inout RandomSource) -> Bool {
        if gaitTicksLeft <= 0 { chooseGait(&random) }
        gaitTicksLeft -= 1

        let target: Double
        switch gait {
        case .stop: target = 0
        case .walk: target = options.walkSpeed
        case .run: target = options.runSpeed
        }
        let maxChange = options.acceleration * dt
        speed += max(-maxChange, min(maxChange, target - speed))
        speed = max(0, min(options.runSpeed, speed))

        steer(&random)
        heading += turnRate * dt
        let old = position
        var x = position.x + speed * cos(heading) * dt
        var y = position.y + speed * sin(heading) * dt
        let size = options.mapSize
        if x < 0 || x > size {
            x = max(0, min(size, x))
            heading = Double.pi - heading
            turnRate = 0
        }
        if y < 0 || y > size {
            y = max(0, min(size, y))
            heading = -heading
            turnRate = 0
        }
        heading = remainder(heading, 2 * Double.pi)

        var jumped = false
        if !airborne, random.unit() < options.jumpRate * dt {
            airborne = true
            verticalSpeed = Self.jumpSpeed
            jumped = true
        }
        if airborne {
            lift += verticalSpeed * dt
            verticalSpeed -= Self.gravity * dt
            if lift <= 0 {
                lift = 0
                verticalSpeed = 0
                airborne = false
            }
        }
        position = Vector3(x: x, y: y, z: Self.ground(x, y, size) + lift)
        velocity = (position - old) * (1 / dt)
        return jumped
    }

    private mutating func chooseGait(_ random: inout RandomSource) {
        let u = random.unit()
        gait = u < 0.2 ? .stop : (u < 0.6 ? .walk : .run)
        let seconds = -log(max(random.unit(), 1e-12)) * options.gaitSeconds
        gaitTicksLeft = max(1, Int((seconds / dt).rounded()))
    }

    /// Updates the turn rate: a smooth random drift, or a turn towards the
    /// middle of the map when a wall is close ahead.
    private mutating func steer(_ random: inout RandomSource) {
        let cap = options.maxTurnRate
        let size = options.mapSize
        let aheadX = position.x + cos(heading) * Self.lookAhead
        let aheadY = position.y + sin(heading) * Self.lookAhead
        let margin = min(Self.lookAhead, size / 4)
        if aheadX < margin || aheadX > size - margin || aheadY < margin || aheadY > size - margin {
            let toMiddle = atan2(size / 2 - position.y, size / 2 - position.x)
            let off = remainder(toMiddle - heading, 2 * Double.pi)
            turnRate = max(-cap, min(cap, 3 * off))
            return
        }
        // Ornstein-Uhlenbeck drift with a stationary spread of cap / 2.
        let theta = dt / Self.turnMemory
        let sigma = cap / 2 * (2 * theta).squareRoot()
        turnRate += -turnRate * theta + sigma * random.normal()
        turnRate = max(-cap, min(cap, turnRate))
    }
}
