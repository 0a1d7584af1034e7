import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuth } from '@/stores/auth'
import { canAccess } from '@/utils/menus'
import AppLayout from '@/layout/AppLayout.vue'
import LoginView from '@/views/LoginView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    title?: string // i18n key for the tab
    menu?: string // the menu this page belongs to (Me.menus)
    permission?: string
    person?: boolean // the page needs a user linked to a person
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', component: () => import('@/views/HomeView.vue'), meta: { title: 'menu.home' } },
      {
        path: 'org',
        name: 'org',
        component: () => import('@/views/OrgView.vue'),
        meta: { title: 'menu.org', menu: 'org', permission: 'org:read' },
      },
      {
        path: 'people',
        name: 'people',
        component: () => import('@/views/PeopleView.vue'),
        meta: { title: 'menu.people', menu: 'people', permission: 'people:read' },
      },
      {
        path: 'people/:id(\\d+)',
        name: 'person',
        component: () => import('@/views/PersonView.vue'),
        meta: { title: 'person.title', menu: 'people', permission: 'people:read' },
      },
      {
        path: 'customers',
        name: 'customers',
        component: () => import('@/views/CustomersView.vue'),
        meta: { title: 'menu.customers', menu: 'customers', permission: 'customer:read' },
      },
      {
        path: 'customers/:id(\\d+)',
        name: 'customer',
        component: () => import('@/views/CustomerView.vue'),
        meta: { title: 'customer.title', menu: 'customers', permission: 'customer:read' },
      },
      {
        path: 'customer-forms',
        name: 'customer-forms',
        component: () => import('@/views/CustomerFormsView.vue'),
        meta: { title: 'menu.customerForms', menu: 'customers', permission: 'customer:read' },
      },
      {
        // the server keeps GET /metrics (Prometheus); only in-app links can land here
        path: 'metrics',
        redirect: '/metric-catalogue',
      },
      {
        path: 'metric-catalogue',
        name: 'metrics',
        component: () => import('@/views/MetricsView.vue'),
        meta: { title: 'menu.metrics', menu: 'metrics', permission: 'metric:read' },
      },
      {
        path: 'targets',
        name: 'targets',
        component: () => import('@/views/TargetsView.vue'),
        meta: { title: 'menu.targets', menu: 'targets', permission: 'target:read' },
      },
      {
        path: 'record-imports',
        name: 'record-imports',
        component: () => import('@/views/RecordImportsView.vue'),
        meta: { title: 'menu.recordImports', menu: 'records', permission: 'record:read' },
      },
      {
        path: 'records',
        name: 'records',
        component: () => import('@/views/RecordsView.vue'),
        meta: { title: 'menu.recordList', menu: 'records', permission: 'record:read' },
      },
      {
        path: 'stats',
        name: 'stats',
        component: () => import('@/views/StatsView.vue'),
        meta: { title: 'menu.stats', menu: 'stats', permission: 'stats:read' },
      },
      {
        path: 'assess/my-sheets',
        name: 'assess-my-sheets',
        component: () => import('@/views/MySheetsView.vue'),
        meta: { title: 'menu.mySheets', menu: 'assess', person: true },
      },
      {
        path: 'assess/cycles',
        name: 'assess-cycles',
        component: () => import('@/views/CyclesView.vue'),
        meta: { title: 'menu.assessCycles', menu: 'assess', permission: 'assess:manage' },
      },
      {
        path: 'assess/results',
        name: 'assess-results',
        component: () => import('@/views/ResultsView.vue'),
        meta: { title: 'menu.assessResults', menu: 'assess', permission: 'assess:read' },
      },
      {
        path: 'assess/outcomes',
        name: 'assess-outcomes',
        component: () => import('@/views/OutcomesView.vue'),
        meta: { title: 'menu.assessOutcomes', menu: 'assess', permission: 'assess:manage' },
      },
      {
        path: 'assess/rules',
        name: 'assess-rules',
        component: () => import('@/views/AssessRulesView.vue'),
        meta: { title: 'menu.assessRules', menu: 'assess', permission: 'assess:manage' },
      },
      {
        path: 'attendance/me',
        name: 'attendance-me',
        component: () => import('@/views/AttendanceMeView.vue'),
        meta: { title: 'menu.attendanceMe', menu: 'attendance', person: true },
      },
      {
        path: 'attendance/team',
        name: 'attendance-team',
        component: () => import('@/views/AttendanceTeamView.vue'),
        meta: { title: 'menu.attendanceTeam', menu: 'attendance', permission: 'attendance:read' },
      },
      {
        path: 'attendance/calendar',
        name: 'attendance-calendar',
        component: () => import('@/views/AttendanceCalendarView.vue'),
        meta: { title: 'menu.attendanceCalendar', menu: 'attendance', permission: 'attendance:read' },
      },
      {
        path: 'pay/close',
        name: 'pay-close',
        component: () => import('@/views/PayCloseView.vue'),
        meta: { title: 'menu.payClose', menu: 'pay', permission: 'pay:read' },
      },
      {
        path: 'pay/me',
        name: 'pay-me',
        component: () => import('@/views/PayMeView.vue'),
        meta: { title: 'menu.payMe', menu: 'pay', person: true },
      },
      {
        path: 'pay/trial',
        name: 'pay-trial',
        component: () => import('@/views/PayTrialView.vue'),
        meta: { title: 'menu.payTrial', menu: 'pay', permission: 'pay:read' },
      },
      {
        path: 'pay/plans',
        name: 'pay-plans',
        component: () => import('@/views/PayPlansView.vue'),
        meta: { title: 'menu.payPlans', menu: 'pay', permission: 'pay:read' },
      },
      {
        path: 'periods',
        name: 'periods',
        component: () => import('@/views/PeriodsView.vue'),
        meta: { title: 'menu.periods', menu: 'periods', permission: 'period:read' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/views/AuditView.vue'),
        meta: { title: 'menu.audit', menu: 'audit', permission: 'audit:read' },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/UsersView.vue'),
        meta: { title: 'menu.users', menu: 'users', permission: 'user:manage' },
      },
      { path: '403', name: 'forbidden', component: () => import('@/views/ForbiddenView.vue'), meta: { title: 'error.forbiddenTitle' } },
      {
        path: ':pathMatch(.*)*',
        name: 'notfound',
        component: () => import('@/views/NotFoundView.vue'),
        meta: { title: 'error.notFoundTitle' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

router.beforeEach(async (to) => {
  const auth = useAuth()
  if (!auth.loaded) await auth.load()
  if (to.meta.public) {
    if (to.name === 'login' && auth.me) return { path: '/' }
    return true
  }
  if (!auth.me) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (!canAccess(auth.me, { menu: to.meta.menu, permission: to.meta.permission, person: to.meta.person })) {
    return { name: 'forbidden' }
  }
  return true
})
