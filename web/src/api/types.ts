// Types of the cmhub HTTP API (docs/api.md). Optional/nullable where the
// contract allows a value to be absent.

export interface User {
  id: number
  username: string
  displayName: string
  personId: number | null
}

export interface Scope {
  level: string
  unitId?: number | null
  unitName?: string | null
}

export interface Me {
  user: User
  permissions: string[]
  menus: string[]
  scopes: Scope[]
}

export interface DictItem {
  code: string
  zh: string
  en: string
  rank?: number
}

export interface Dicts {
  unitKinds: DictItem[]
  positions: DictItem[]
  grades: DictItem[]
  statuses: DictItem[]
  employmentTypes: DictItem[]
  dataScopes: DictItem[]
  genders: DictItem[]
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface Unit {
  id: number
  parentId: number | null
  kind: string
  code: string
  name: string
  nameEn: string | null
  openedOn: string | null
  closedOn: string | null
  headcount: number
}

export interface UnitParentHistory {
  parentId: number | null
  parentName: string | null
  validFrom: string
  validTo: string | null
  reason?: string | null
}

export interface Stationed {
  personId: number
  empNo: string
  name: string
  validFrom: string
  validTo: string | null
}

export interface UnitDetail extends Unit {
  history?: UnitParentHistory[]
  stationed?: Stationed[]
}

export interface Person {
  id: number
  empNo: string
  name: string
  gender: string | null
  idNumber: string | null
  phone: string | null
  employmentType: string | null
  hiredOn: string | null
  probationEnd: string | null
  contractEnd: string | null
  unitId: number
  unitName: string
  unitPath: string | null
  position: string
  grade: string | null
  status: string
  validFrom: string | null
}

export interface PersonRecord {
  id: number
  validFrom: string
  validTo: string | null
  unitId: number
  unitName: string
  position: string
  grade: string | null
  status: string
  reason: string | null
}

export interface PersonDetail extends Person {
  history: PersonRecord[]
}

export interface ImportResult {
  created: number
  updated: number
}

export interface ImportRowError {
  row: number
  column: string
  message: string
}

export interface Period {
  key: string
  kind: string
  status: string
  closedAt: string | null
  closedBy: string | number | null
}

export interface AuditEntry {
  seq: number
  at: string
  actorId: number | null
  actorName: string | null
  action: string
  objectType: string
  objectId: string | number
  before: unknown
  after: unknown
  reason: string | null
  requestId: string | null
}

export interface Role {
  id: number
  code: string
  name: string
  nameEn: string | null
  dataScope: string
  permissions: string[]
}

export interface UserRow {
  id: number
  username: string
  displayName: string
  personId: number | null
  empNo: string | null
  roles: string[]
  disabled: boolean
  lockedUntil: string | null
}
