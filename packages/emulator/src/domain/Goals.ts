/**
 * Offline conversion goals: the emulator's goal store and the documented rules of AddConversionGoals,
 * UpdateConversionGoals and GetConversionGoalsByIds (docs/microsoft-api.md §9, §3) — defaults (30-day window,
 * CountType All, revenue NoValue, scope Account), limits, name uniqueness, revenue consistency, and the creation time
 * that makes a goal refuse conversions for two hours (5615). The emulator knows offline conversion goals only.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { isCurrencyCode } from "./Currencies.js"
import { type ItemError, type OperationOutcome, answered, apiRefusal, refused } from "./Outcome.js"
import { HOUR_MS } from "./Time.js"

type RevenueType = Schemas.ConversionGoalRevenueType
type CountType = Schemas.ConversionGoalCountType
type Scope = Schemas.EntityScope
type Status = Schemas.ConversionGoalStatus
type Category = Schemas.ConversionGoalCategory

export const DEFAULT_CONVERSION_WINDOW_MINUTES = 43_200
export const MIN_CONVERSION_WINDOW_MINUTES = 1
export const MAX_CONVERSION_WINDOW_MINUTES = 129_600
export const MAX_GOAL_NAME_LENGTH = 100
/** Goals per request of AddConversionGoals / UpdateConversionGoals, and ids per GetConversionGoalsByIds. */
export const GOALS_PER_REQUEST = 100
export const GOALS_PER_ACCOUNT = 1_000
/** Goal ids per GetOfflineConversionReportByGoalIds ("up to 20 goal IDs"). */
export const GOALS_PER_REPORT = 20
/** The account's currency, used when neither the conversion nor an Account-scoped goal names one. */
export const ACCOUNT_CURRENCY_CODE = "USD"
/** The first id the emulator hands out. */
const FIRST_GOAL_ID = 10_000_001n

/** A goal's revenue settings. */
export interface GoalRevenue {
  readonly type: RevenueType
  readonly value: number | null
  readonly currencyCode: string | null
}

/** An offline conversion goal as the emulator stores it. */
export interface Goal {
  readonly id: bigint
  readonly name: string
  /** Epoch ms: conversions for this goal are refused (5615) until two hours later. */
  readonly createdAt: number
  readonly conversionWindowInMinutes: number
  readonly countType: CountType
  readonly revenue: GoalRevenue
  readonly scope: Scope
  readonly status: Status
  readonly goalCategory: Category | null
  readonly excludeFromBidding: boolean | null
  readonly isExternallyAttributed: boolean
  readonly isEnhancedConversionsEnabled: boolean
}

/** A goal as the seed file and the admin API describe it (createdAt already in epoch ms). */
export interface GoalSpec {
  readonly name: string
  readonly createdAt?: number | undefined
  readonly conversionWindowInMinutes?: number | undefined
  readonly countType?: CountType | undefined
  readonly revenue?:
    | {
        readonly type?: RevenueType | undefined
        readonly value?: number | null | undefined
        readonly currencyCode?: string | null | undefined
      }
    | undefined
  readonly scope?: Scope | undefined
  readonly status?: Status | undefined
  readonly goalCategory?: Category | undefined
  readonly isExternallyAttributed?: boolean | undefined
  readonly isEnhancedConversionsEnabled?: boolean | undefined
}

/** How old a registered goal is when its spec gives no creation time: old enough to accept conversions. */
export const DEFAULT_REGISTERED_GOAL_AGE_MS = 3 * HOUR_MS

/** A broken goal rule: the code and the field it concerns. */
type Broken = Omit<ItemError, "index">

const broken = (code: ItemError["code"], fieldPath?: string): Broken => ({ code, fieldPath })

/** How often each key occurs among the items (undefined keys are not counted). */
const countBy = <A, K>(items: ReadonlyArray<A>, key: (item: A) => K | undefined): ReadonlyMap<K, number> => {
  const counts = new Map<K, number>()
  for (const item of items) {
    const k = key(item)
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/** The goal type name used in `Type` and `ConversionGoalTypes`. */
const OFFLINE = "OfflineConversion"

const revenueError = (revenue: GoalRevenue, scope: Scope): 5332 | 5333 | 5351 | 5355 | undefined => {
  if (revenue.value !== null && (!Number.isFinite(revenue.value) || revenue.value < 0)) return 5333
  if (revenue.type === "FixedValue" && revenue.value === null) return 5333
  if (revenue.type === "NoValue" && revenue.value !== null) return 5333
  if (revenue.currencyCode !== null && !isCurrencyCode(revenue.currencyCode)) return 5351
  if (scope === "Customer" && revenue.type !== "NoValue" && revenue.currencyCode === null) return 5355
  return undefined
}

const contractRevenue = (revenue: Schemas.ConversionGoalRevenue | null | undefined): GoalRevenue => ({
  type: revenue?.Type ?? "NoValue",
  value: revenue?.Value ?? null,
  currencyCode: revenue?.CurrencyCode ?? null
})

const isOfflineType = (type: Schemas.ConversionGoalType | null | undefined): boolean =>
  type === null || type === undefined || (type.length === 1 && type[0] === OFFLINE)

const windowValid = (minutes: number): boolean =>
  Number.isInteger(minutes) && minutes >= MIN_CONVERSION_WINDOW_MINUTES && minutes <= MAX_CONVERSION_WINDOW_MINUTES

/** The contract form of a goal, with the optional fields that GetConversionGoalsByIds returns only on request. */
export const toContractGoal = (goal: Goal, additional: ReadonlyArray<string> = []): Schemas.OfflineConversionGoal => {
  const wants = (field: string) => additional.includes(field)
  return {
    _tag: "OfflineConversionGoal",
    ...(wants("AttributionModelType") ? { AttributionModelType: null } : {}),
    ConversionWindowInMinutes: goal.conversionWindowInMinutes,
    CountType: goal.countType,
    ExcludeFromBidding: goal.excludeFromBidding,
    ...(wants("GoalCategory") ? { GoalCategory: goal.goalCategory } : {}),
    Id: goal.id,
    ...(wants("IsEnhancedConversionsEnabled")
      ? { IsEnhancedConversionsEnabled: goal.isEnhancedConversionsEnabled }
      : {}),
    Name: goal.name,
    Revenue: { CurrencyCode: goal.revenue.currencyCode, Type: goal.revenue.type, Value: goal.revenue.value },
    Scope: goal.scope,
    Status: goal.status,
    TagId: null,
    Type: [OFFLINE],
    ...(wants("ViewThroughConversionWindowInMinutes") ? { ViewThroughConversionWindowInMinutes: null } : {}),
    ...(wants("IsExternallyAttributed") ? { IsExternallyAttributed: goal.isExternallyAttributed } : {})
  }
}

/** The JSON form of a goal for the admin API and `GET /__emulator/state`. */
export const goalJson = (goal: Goal) => ({
  id: goal.id.toString(),
  name: goal.name,
  createdAt: new Date(goal.createdAt).toISOString(),
  conversionWindowInMinutes: goal.conversionWindowInMinutes,
  countType: goal.countType,
  revenue: goal.revenue,
  scope: goal.scope,
  status: goal.status,
  goalCategory: goal.goalCategory,
  isExternallyAttributed: goal.isExternallyAttributed,
  isEnhancedConversionsEnabled: goal.isEnhancedConversionsEnabled
})

/** Result of AddConversionGoals: ids aligned with the request (null where refused) and the item errors. */
export interface AddedGoals {
  readonly ids: ReadonlyArray<bigint | null>
  readonly errors: ReadonlyArray<ItemError>
}

/** Result of GetConversionGoalsByIds: goals aligned with the requested ids (null for misses) and the item errors. */
export interface FoundGoals {
  readonly goals: ReadonlyArray<Schemas.OfflineConversionGoal | null>
  readonly errors: ReadonlyArray<ItemError>
}

export class GoalStore {
  #goals = new Map<bigint, Goal>()
  #nextId = FIRST_GOAL_ID
  /** Goals from seed files and the admin API: what `reset` returns to. */
  #registered = new Map<bigint, Goal>()

  /** Every goal, in id order. */
  list(): ReadonlyArray<Goal> {
    return [...this.#goals.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  /** The goal with this id, whatever its status. */
  byId(id: bigint): Goal | undefined {
    return this.#goals.get(id)
  }

  /** The goal an offline conversion names (exact, case-sensitive name match; deleted goals do not match). */
  byName(name: string): Goal | undefined {
    for (const goal of this.#goals.values()) if (goal.name === name && goal.status !== "Deleted") return goal
    return undefined
  }

  #nameTaken(name: string, except?: bigint): boolean {
    for (const goal of this.#goals.values()) if (goal.name === name && goal.id !== except) return true
    return false
  }

  /**
   * Registers goals from a seed file or the admin API. A spec whose name is already registered replaces that goal's
   * settings and keeps its id, so seeding is repeatable. Throws a RangeError naming the first invalid spec.
   */
  register(specs: ReadonlyArray<GoalSpec>, now: number): ReadonlyArray<Goal> {
    const goals = specs.map((spec, index) => {
      const where = `goals[${index}] (${JSON.stringify(spec.name)})`
      if (spec.name.trim() === "" || spec.name.length > MAX_GOAL_NAME_LENGTH) {
        throw new RangeError(`${where}: a name of 1 to ${MAX_GOAL_NAME_LENGTH} characters is required`)
      }
      const existing = this.byName(spec.name)
      const scope = spec.scope ?? "Account"
      const revenue: GoalRevenue = {
        type: spec.revenue?.type ?? "NoValue",
        value: spec.revenue?.value ?? null,
        currencyCode: spec.revenue?.currencyCode ?? null
      }
      const windowMinutes = spec.conversionWindowInMinutes ?? DEFAULT_CONVERSION_WINDOW_MINUTES
      if (!windowValid(windowMinutes)) {
        throw new RangeError(
          `${where}: conversionWindowInMinutes must be ${MIN_CONVERSION_WINDOW_MINUTES}..${MAX_CONVERSION_WINDOW_MINUTES}`
        )
      }
      const revenueCode = revenueError(revenue, scope)
      if (revenueCode !== undefined) throw new RangeError(`${where}: invalid revenue (would be error ${revenueCode})`)
      return {
        id: existing?.id ?? this.#allocateId(),
        name: spec.name,
        createdAt: spec.createdAt ?? now - DEFAULT_REGISTERED_GOAL_AGE_MS,
        conversionWindowInMinutes: windowMinutes,
        countType: spec.countType ?? "All",
        revenue,
        scope,
        status: spec.status ?? "Active",
        goalCategory: spec.goalCategory ?? "Other",
        excludeFromBidding: false,
        isExternallyAttributed: spec.isExternallyAttributed ?? false,
        isEnhancedConversionsEnabled: spec.isEnhancedConversionsEnabled ?? false
      } satisfies Goal
    })
    for (const goal of goals) {
      this.#goals.set(goal.id, goal)
      this.#registered.set(goal.id, goal)
    }
    return goals
  }

  /** Forgets goals created or changed through the API: back to the registered goals (ids kept). */
  reset(): void {
    this.#goals = new Map(this.#registered)
  }

  #allocateId(): bigint {
    const id = this.#nextId
    this.#nextId += 1n
    return id
  }

  /** AddConversionGoals: every rule the emulator can judge, per item, with the item's zero-based Index. */
  add(
    items: ReadonlyArray<Schemas.ConversionGoalUnion | null> | null | undefined,
    now: number
  ): OperationOutcome<AddedGoals> {
    if (items === null || items === undefined || items.length === 0) return refused(apiRefusal(5321))
    if (items.length > GOALS_PER_REQUEST) return refused(apiRefusal(5322))
    const errors: Array<ItemError> = []
    const ids: Array<bigint | null> = []
    const namesInRequest = countBy(items, (item) => item?.Name || undefined)
    items.forEach((item, index) => {
      const judged = this.#newGoal(item, namesInRequest, now)
      if ("code" in judged) {
        errors.push({ index, ...judged })
        ids.push(null)
      } else {
        this.#goals.set(judged.id, judged)
        ids.push(judged.id)
      }
    })
    return answered({ ids, errors })
  }

  /** The goal an AddConversionGoals item creates, or the first rule it breaks. */
  #newGoal(
    item: Schemas.ConversionGoalUnion | null,
    namesInRequest: ReadonlyMap<string, number>,
    now: number
  ): Goal | Broken {
    if (item === null) return broken(5323)
    if (item._tag !== "OfflineConversionGoal") return broken(5331, "Type")
    if (item.Id !== null && item.Id !== undefined) return broken(5324, "Id")
    const name = item.Name ?? null
    if (name === null || name.trim() === "") return broken(5319, "Name")
    if (name.length > MAX_GOAL_NAME_LENGTH) return broken(5320, "Name")
    if ((namesInRequest.get(name) ?? 0) > 1) return broken(5316, "Name")
    if (this.#nameTaken(name)) return broken(5317, "Name")
    if (!isOfflineType(item.Type)) return broken(5331, "Type")
    const windowMinutes = item.ConversionWindowInMinutes ?? DEFAULT_CONVERSION_WINDOW_MINUTES
    if (!windowValid(windowMinutes)) return broken(5337, "ConversionWindowInMinutes")
    const status = item.Status ?? "Active"
    if (status === "Deleted") return broken(5328, "Status")
    const scope = item.Scope ?? "Account"
    const revenue = contractRevenue(item.Revenue)
    const revenueCode = revenueError(revenue, scope)
    if (revenueCode !== undefined) return broken(revenueCode, "Revenue")
    if (this.#goals.size >= GOALS_PER_ACCOUNT) return broken(5326)
    return {
      id: this.#allocateId(),
      name,
      createdAt: now,
      conversionWindowInMinutes: windowMinutes,
      countType: item.CountType ?? "All",
      revenue,
      scope,
      status,
      goalCategory: item.GoalCategory ?? null,
      excludeFromBidding: item.ExcludeFromBidding ?? null,
      isExternallyAttributed: item.IsExternallyAttributed ?? false,
      isEnhancedConversionsEnabled: item.IsEnhancedConversionsEnabled ?? false
    }
  }

  /**
   * UpdateConversionGoals: partial update (nil = unchanged; a non-nil Revenue replaces all revenue settings; Scope is
   * read-only and ignored; the goal type cannot change).
   */
  update(
    items: ReadonlyArray<Schemas.ConversionGoalUnion | null> | null | undefined
  ): OperationOutcome<ReadonlyArray<ItemError>> {
    if (items === null || items === undefined || items.length === 0) return refused(apiRefusal(5321))
    if (items.length > GOALS_PER_REQUEST) return refused(apiRefusal(5322))
    const errors: Array<ItemError> = []
    const idCounts = countBy(items, (item) => item?.Id ?? undefined)
    const nameCounts = countBy(items, (item) => item?.Name || undefined)
    items.forEach((item, index) => {
      const judged = this.#updatedGoal(item, idCounts, nameCounts)
      if ("code" in judged) errors.push({ index, ...judged })
      else this.#goals.set(judged.id, judged)
    })
    return answered(errors)
  }

  /** The goal as an UpdateConversionGoals item changes it, or the first rule the item breaks. */
  #updatedGoal(
    item: Schemas.ConversionGoalUnion | null,
    idCounts: ReadonlyMap<bigint, number>,
    nameCounts: ReadonlyMap<string, number>
  ): Goal | Broken {
    if (item === null) return broken(5323)
    if (item.Id === null || item.Id === undefined) return broken(5325, "Id")
    if ((idCounts.get(item.Id) ?? 0) > 1) return broken(5315, "Id")
    const current = this.#goals.get(item.Id)
    if (current === undefined) return broken(5314, "Id")
    if (item._tag !== "OfflineConversionGoal" || !isOfflineType(item.Type)) return broken(5356, "Type")
    const name = item.Name ?? current.name
    if (name.trim() === "" || name.length > MAX_GOAL_NAME_LENGTH) return broken(5320, "Name")
    if (item.Name && (nameCounts.get(item.Name) ?? 0) > 1) return broken(5316, "Name")
    if (this.#nameTaken(name, current.id)) return broken(5317, "Name")
    const windowMinutes = item.ConversionWindowInMinutes ?? current.conversionWindowInMinutes
    if (!windowValid(windowMinutes)) return broken(5337, "ConversionWindowInMinutes")
    const status = item.Status ?? current.status
    if (status === "Deleted") return broken(5328, "Status")
    const revenue =
      item.Revenue === null || item.Revenue === undefined ? current.revenue : contractRevenue(item.Revenue)
    const revenueCode = revenueError(revenue, current.scope)
    if (revenueCode !== undefined) return broken(revenueCode, "Revenue")
    return {
      ...current,
      name,
      conversionWindowInMinutes: windowMinutes,
      countType: item.CountType ?? current.countType,
      revenue,
      status,
      goalCategory: item.GoalCategory ?? current.goalCategory,
      excludeFromBidding: item.ExcludeFromBidding ?? current.excludeFromBidding,
      isExternallyAttributed: item.IsExternallyAttributed ?? current.isExternallyAttributed,
      isEnhancedConversionsEnabled: item.IsEnhancedConversionsEnabled ?? current.isEnhancedConversionsEnabled
    }
  }

  /**
   * GetConversionGoalsByIds: null or empty ids list every goal of the requested types; otherwise the answer is aligned
   * with the ids, with null and a 5314 BatchError for each id that names no goal of those types.
   */
  get(
    ids: ReadonlyArray<bigint> | null | undefined,
    types: Schemas.ConversionGoalType | undefined,
    additional: Schemas.ConversionGoalAdditionalField | null | undefined
  ): OperationOutcome<FoundGoals> {
    if (types === undefined || types.length === 0) return refused(apiRefusal(5329))
    if (ids !== null && ids !== undefined && ids.length > GOALS_PER_REQUEST) return refused(apiRefusal(5318))
    const wantsOffline = types.includes(OFFLINE)
    const fields = additional ?? []
    if (ids === null || ids === undefined || ids.length === 0) {
      const goals = wantsOffline ? this.list().map((goal) => toContractGoal(goal, fields)) : []
      return answered({ goals, errors: [] })
    }
    const errors: Array<ItemError> = []
    const goals = ids.map((id, index) => {
      const goal = wantsOffline ? this.#goals.get(id) : undefined
      if (goal === undefined) {
        errors.push({ index, code: 5314, fieldPath: "ConversionGoalIds" })
        return null
      }
      return toContractGoal(goal, fields)
    })
    return answered({ goals, errors })
  }
}
