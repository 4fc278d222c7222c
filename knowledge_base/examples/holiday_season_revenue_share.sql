-- Question: How much of each year's revenue came from the November-December holiday season?
-- Description: Holiday-season revenue and its share of the year's revenue, for the complete years 2023 and 2024.
SELECT strftime('%Y', o.order_date) AS year,
       ROUND(SUM(CASE WHEN strftime('%m', o.order_date) IN ('11', '12')
                      THEN oi.quantity * oi.unit_price * (1 - oi.discount) ELSE 0 END), 2) AS holiday_revenue,
       ROUND(100.0 * SUM(CASE WHEN strftime('%m', o.order_date) IN ('11', '12')
                              THEN oi.quantity * oi.unit_price * (1 - oi.discount) ELSE 0 END)
             / SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS holiday_share_pct
FROM orders AS o
JOIN order_items AS oi ON oi.order_id = o.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date < '2025-01-01'
GROUP BY year
ORDER BY year;
